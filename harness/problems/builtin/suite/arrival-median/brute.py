import sys

data = sys.stdin.buffer.read().split()
n = int(data[0])
seen = []
medians = []
for w in map(int, data[1 : 1 + n]):
    seen.append(w)
    medians.append(sorted(seen)[(len(seen) - 1) // 2])
print(" ".join(map(str, medians)))
