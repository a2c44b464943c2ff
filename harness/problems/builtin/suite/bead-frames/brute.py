import sys

data = sys.stdin.buffer.read().split()
n, k = int(data[0]), int(data[1])
colours = data[2 : 2 + n]
counts = []
for start in range(n - k + 1):
    seen = set()
    for i in range(start, start + k):
        seen.add(colours[i])
    counts.append(len(seen))
print(" ".join(map(str, counts)))
