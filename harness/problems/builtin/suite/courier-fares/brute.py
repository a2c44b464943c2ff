import sys

data = sys.stdin.buffer.read().split()
n, m = int(data[0]), int(data[1])
roads = [[] for _ in range(n + 1)]
for j in range(m):
    a, b, c = int(data[2 + 3 * j]), int(data[3 + 3 * j]), int(data[4 + 3 * j])
    roads[a].append((b, c))
    roads[b].append((a, c))
INF = float("inf")
fare = [INF] * (n + 1)
fare[1] = 0
done = [False] * (n + 1)
for _ in range(n):  # settles the cheapest unsettled town by scanning them all
    town, best = -1, INF
    for v in range(1, n + 1):
        if not done[v] and fare[v] < best:
            town, best = v, fare[v]
    if town < 0:
        break
    done[town] = True
    for nxt, c in roads[town]:
        fare[nxt] = min(fare[nxt], best + c)
print(" ".join(str(f) if f < INF else "-1" for f in fare[1:]))
