import sys

data = sys.stdin.buffer.read().split()
n, k = int(data[0]), int(data[1])
readings = list(map(int, data[2 : 2 + n]))
best = []
for start in range(n - k + 1):
    top = readings[start]
    for i in range(start + 1, start + k):
        if readings[i] > top:
            top = readings[i]
    best.append(top)
print(" ".join(map(str, best)))
