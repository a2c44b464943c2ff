import sys
from heapq import heappop, heappush

vals = list(map(int, sys.stdin.buffer.read().split()))
n, m = vals[0], vals[1]
roads = [[] for _ in range(n + 1)]
for j in range(2, 2 + 3 * m, 3):
    a, b, c = vals[j], vals[j + 1], vals[j + 2]
    roads[a].append((b, c))
    roads[b].append((a, c))
INF = 1 << 62
best = [INF] * (n + 1)
best[1] = 0
queue = [(0, 1)]
while queue:
    cost, town = heappop(queue)
    if cost > best[town]:
        continue  # a stale entry: the town was reached more cheaply since
    for nxt, c in roads[town]:
        if cost + c < best[nxt]:
            best[nxt] = cost + c
            heappush(queue, (cost + c, nxt))
print(" ".join(str(f) if f < INF else "-1" for f in best[1:]))
