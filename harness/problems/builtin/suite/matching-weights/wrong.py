import sys
from collections import Counter

data = sys.stdin.buffer.read().split()
n, target = int(data[0]), int(data[1])
counts = Counter(map(int, data[2 : 2 + n]))
pairs = 0
for mass, count in counts.items():
    other = target - mass
    if mass < other:
        pairs += count * counts.get(other, 0)
    elif mass == other:
        pairs += count * count // 2  # pairs a weight with itself
print(pairs)
