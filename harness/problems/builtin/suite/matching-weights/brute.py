import sys

data = sys.stdin.buffer.read().split()
n, target = int(data[0]), int(data[1])
masses = list(map(int, data[2 : 2 + n]))
pairs = 0
for i in range(n):
    need = target - masses[i]
    for j in range(i + 1, n):
        if masses[j] == need:
            pairs += 1
print(pairs)
