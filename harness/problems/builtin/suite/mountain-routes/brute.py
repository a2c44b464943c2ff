import sys

data = sys.stdin.buffer.read().split()
n, m = int(data[0]), int(data[1])
down = [[] for _ in range(n + 1)]
for j in range(m):
    down[int(data[2 + 2 * j])].append(int(data[3 + 2 * j]))

routes = 0
stack = [1]
while stack:  # walks every route from checkpoint 1, one at a time
    v = stack.pop()
    if v == n:
        routes += 1
    stack.extend(down[v])
print(routes % 1_000_000_007)
