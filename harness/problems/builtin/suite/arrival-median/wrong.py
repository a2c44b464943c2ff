import sys
from heapq import heappush, heappushpop

data = sys.stdin.buffer.read().split()
n = int(data[0])
low, high = [], []
medians = []
for w in map(int, data[1 : 1 + n]):
    if len(low) == len(high):
        heappush(low, -heappushpop(high, w))
    else:
        heappush(high, -heappushpop(low, -w))
    # The heavier middle parcel when the count is even.
    medians.append(high[0] if len(low) == len(high) else -low[0])
print(" ".join(map(str, medians)))
