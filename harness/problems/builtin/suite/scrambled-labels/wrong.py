import sys
from collections import Counter

data = sys.stdin.read().split()
n = int(data[0])
groups = Counter(frozenset(label) for label in data[1 : 1 + n])  # loses the letter counts
print(sum(c * (c - 1) // 2 for c in groups.values()))
