import sys
from heapq import heappop, heappush

data = sys.stdin.buffer.read().split()
n, m = int(data[0]), int(data[1])
roads = [[] for _ in range(n + 1)]
for j in range(m):
    a, b, c = int(data[2 + 3 * j]), int(data[3 + 3 * j]), int(data[4 + 3 * j])
    roads[a].append((b, c))  # roads treated as one-way
fare = [-1] * (n + 1)
queue = [(0, 1)]
while queue:
    cost, town = heappop(queue)
    if fare[town] >= 0:
        continue
    fare[town] = cost
    for nxt, c in roads[town]:
        if fare[nxt] < 0:
            heappush(queue, (cost + c, nxt))
print(" ".join(map(str, fare[1:])))
