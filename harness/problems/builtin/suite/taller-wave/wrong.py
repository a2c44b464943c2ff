import sys

data = sys.stdin.buffer.read().split()
n = int(data[0])
heights = list(map(int, data[1 : 1 + n]))
waits = [0] * n
pending = []
for i, h in enumerate(heights):
    while pending and heights[pending[-1]] <= h:  # a wave of equal height ends the wait
        j = pending.pop()
        waits[j] = i - j
    pending.append(i)
print(" ".join(map(str, waits)))
