import sys

data = sys.stdin.buffer.read().split()
n, q = int(data[0]), int(data[1])
amounts = list(map(int, data[2 : 2 + n]))
out = []
for i in range(q):
    left, right = int(data[2 + n + 2 * i]), int(data[3 + n + 2 * i])
    total = 0
    for day in range(left - 1, right):
        total += amounts[day]
    out.append(total)
print("\n".join(map(str, out)))
