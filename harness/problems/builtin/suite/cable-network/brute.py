import sys

data = sys.stdin.buffer.read().split()
n, q = int(data[0]), int(data[1])
cables = [[] for _ in range(n + 1)]
out = []
for i in range(q):
    kind, a, b = data[2 + 3 * i], int(data[3 + 3 * i]), int(data[4 + 3 * i])
    if kind == b"+":
        cables[a].append(b)
        cables[b].append(a)
        continue
    seen = {a}
    stack = [a]
    while stack:
        for nxt in cables[stack.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    out.append("YES" if b in seen else "NO")
print("\n".join(out))
