import sys

MOD = 1_000_000_007

vals = list(map(int, sys.stdin.buffer.read().split()))
n, m = vals[0], vals[1]
down = [[] for _ in range(n + 1)]
incoming = [0] * (n + 1)
for j in range(2, 2 + 2 * m, 2):
    down[vals[j]].append(vals[j + 1])
    incoming[vals[j + 1]] += 1
routes = [0] * (n + 1)
routes[1] = 1
ready = [v for v in range(1, n + 1) if incoming[v] == 0]
while ready:  # Kahn's order: a checkpoint is final once every slope into it is counted
    v = ready.pop()
    here = routes[v]
    for w in down[v]:
        routes[w] = (routes[w] + here) % MOD
        incoming[w] -= 1
        if incoming[w] == 0:
            ready.append(w)
print(routes[n])
