import sys


def main():
    data = sys.stdin.buffer.read().split()
    n, q = int(data[0]), int(data[1])
    parent = list(range(n + 1))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    out = []
    for i in range(q):
        kind, a, b = data[2 + 3 * i], int(data[3 + 3 * i]), int(data[4 + 3 * i])
        ra, rb = find(a), find(b)
        if kind == b"+":
            parent[ra] = rb
        else:
            out.append("YES" if ra == rb else "NO")
    sys.stdout.write("\n".join(out) + "\n")


main()
