import sys

data = sys.stdin.buffer.read().split()
n = int(data[0])
heights = list(map(int, data[1 : 1 + n]))
waits = []
for i in range(n):
    wait = 0
    for j in range(i + 1, n):
        if heights[j] > heights[i]:
            wait = j - i
            break
    waits.append(wait)
print(" ".join(map(str, waits)))
