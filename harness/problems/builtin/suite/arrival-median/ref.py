import sys
from heapq import heappush, heappushpop

data = sys.stdin.buffer.read().split()
n = int(data[0])
low, high = [], []  # low: the lighter half as a max-heap (negated), never smaller than high
medians = []
for w in map(int, data[1 : 1 + n]):
    if len(low) == len(high):
        heappush(low, -heappushpop(high, w))
    else:
        heappush(high, -heappushpop(low, -w))
    medians.append(-low[0])
print(" ".join(map(str, medians)))
