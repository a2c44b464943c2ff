import sys
from collections import deque

data = sys.stdin.buffer.read().split()
n, k = int(data[0]), int(data[1])
readings = list(map(int, data[2 : 2 + n]))
window = deque()  # indices whose readings decrease from left to right
best = []
for i, b in enumerate(readings):
    while window and readings[window[-1]] <= b:
        window.pop()
    window.append(i)
    if window[0] <= i - k:
        window.popleft()
    if i >= k - 1:
        best.append(readings[window[0]])
print(" ".join(map(str, best)))
