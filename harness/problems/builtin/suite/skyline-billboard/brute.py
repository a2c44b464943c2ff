import sys

data = sys.stdin.buffer.read().split()
n = int(data[0])
buildings = [(int(data[1 + 2 * i]), int(data[2 + 2 * i])) for i in range(n)]
best = 0
for i in range(n):
    width, low = 0, buildings[i][1]
    for j in range(i, n):
        width += buildings[j][0]
        low = min(low, buildings[j][1])
        best = max(best, width * low)
print(best)
