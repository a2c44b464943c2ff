import sys

data = sys.stdin.read().split()
n = int(data[0])
keys = [sorted(label) for label in data[1 : 1 + n]]
pairs = 0
for i in range(n):
    for j in range(i + 1, n):
        if keys[i] == keys[j]:
            pairs += 1
print(pairs)
