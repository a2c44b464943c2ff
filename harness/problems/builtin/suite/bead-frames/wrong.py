import sys

data = sys.stdin.buffer.read().split()
n, k = int(data[0]), int(data[1])
colours = data[2 : 2 + n]
inside = {}
for c in colours[:k]:
    inside[c] = inside.get(c, 0) + 1
counts = [len(inside)]
for i in range(k, n - 1):  # misses the last frame
    inside[colours[i]] = inside.get(colours[i], 0) + 1
    gone = colours[i - k]
    if inside[gone] == 1:
        del inside[gone]
    else:
        inside[gone] -= 1
    counts.append(len(inside))
print(" ".join(map(str, counts)))
