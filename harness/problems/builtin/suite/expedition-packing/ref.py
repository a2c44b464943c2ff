import sys

data = sys.stdin.buffer.read().split()
n, capacity = int(data[0]), int(data[1])
best = [0] * (capacity + 1)  # best[c]: largest usefulness within weight c
for i in range(n):
    weight, value = int(data[2 + 2 * i]), int(data[3 + 2 * i])
    if weight <= capacity:
        shifted = best[: capacity + 1 - weight]
        best = best[:weight] + [
            keep if keep >= take + value else take + value
            for keep, take in zip(best[weight:], shifted, strict=True)
        ]
print(best[capacity])
