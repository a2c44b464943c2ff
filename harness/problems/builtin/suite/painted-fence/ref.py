import sys

data = sys.stdin.buffer.read().split()
n = int(data[0])
segments = sorted(zip(map(int, data[1 : 1 + 2 * n : 2]), map(int, data[2 : 2 + 2 * n : 2]), strict=True))
painted = 0
start, end = segments[0]
for left, right in segments[1:]:
    if left > end:
        painted += end - start
        start, end = left, right
    elif right > end:
        end = right
print(painted + end - start)
