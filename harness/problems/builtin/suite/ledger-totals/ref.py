import sys
from itertools import accumulate

data = sys.stdin.buffer.read().split()
n, q = int(data[0]), int(data[1])
prefix = [0, *accumulate(map(int, data[2 : 2 + n]))]
bounds = list(map(int, data[2 + n : 2 + n + 2 * q]))
answers = [prefix[bounds[i + 1]] - prefix[bounds[i] - 1] for i in range(0, 2 * q, 2)]
sys.stdout.write("\n".join(map(str, answers)) + "\n")
