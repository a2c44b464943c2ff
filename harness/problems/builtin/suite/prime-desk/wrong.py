import sys
from itertools import accumulate

data = sys.stdin.buffer.read().split()
q = int(data[0])
bounds = list(map(int, data[1 : 1 + 2 * q]))
top = max(bounds)
sieve = bytearray([1]) * (top + 1)
sieve[0] = 0  # 1 is left marked as a prime
for p in range(2, int(top**0.5) + 1):
    if sieve[p]:
        sieve[p * p :: p] = bytes(len(range(p * p, top + 1, p)))
upto = list(accumulate(sieve))
out = [upto[bounds[i + 1]] - upto[bounds[i] - 1] for i in range(0, 2 * q, 2)]
sys.stdout.write("\n".join(map(str, out)) + "\n")
