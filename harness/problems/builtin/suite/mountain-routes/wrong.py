import sys

data = sys.stdin.buffer.read().split()
n, m = int(data[0]), int(data[1])
down = [[] for _ in range(n + 1)]
incoming = [0] * (n + 1)
for j in range(m):
    a, b = int(data[2 + 2 * j]), int(data[3 + 2 * j])
    down[a].append(b)
    incoming[b] += 1
routes = [0] * (n + 1)
routes[1] = 1
ready = [v for v in range(1, n + 1) if incoming[v] == 0]
while ready:
    v = ready.pop()
    for w in down[v]:
        routes[w] += routes[v]  # no modulo: the count overflows the required range
        incoming[w] -= 1
        if incoming[w] == 0:
            ready.append(w)
print(routes[n] % (1 << 64))
