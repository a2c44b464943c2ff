import sys
from collections import Counter

data = sys.stdin.read().split()
n = int(data[0])
groups = Counter("".join(sorted(label)) for label in data[1 : 1 + n])
print(sum(c * (c - 1) // 2 for c in groups.values()))
