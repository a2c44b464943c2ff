import sys

data = sys.stdin.buffer.read().split()
n = int(data[0])
pairs = [(int(data[1 + 2 * i]), int(data[2 + 2 * i])) for i in range(n)]
fence = bytearray(max(right for _, right in pairs))
for left, right in pairs:
    fence[left:right] = b"\x01" * (right - left)
print(fence.count(1))
