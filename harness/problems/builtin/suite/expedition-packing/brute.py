import sys

data = sys.stdin.buffer.read().split()
n, capacity = int(data[0]), int(data[1])
pieces = [(int(data[2 + 2 * i]), int(data[3 + 2 * i])) for i in range(n)]


def search(index, room):
    if index == n:
        return 0
    weight, value = pieces[index]
    best = search(index + 1, room)
    if weight <= room:
        best = max(best, value + search(index + 1, room - weight))
    return best


print(search(0, capacity))
