import sys


def is_prime(x):
    if x < 2:
        return False
    d = 2
    while d * d <= x:
        if x % d == 0:
            return False
        d += 1
    return True


data = sys.stdin.buffer.read().split()
q = int(data[0])
out = []
for i in range(q):
    left, right = int(data[1 + 2 * i]), int(data[2 + 2 * i])
    out.append(sum(1 for x in range(left, right + 1) if is_prime(x)))
print("\n".join(map(str, out)))
