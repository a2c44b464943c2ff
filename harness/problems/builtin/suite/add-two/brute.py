a, b = map(int, input().split())
# Adds by counting up one at a time: fine for small numbers, hopeless past a few million.
total = a
for _ in range(b):
    total += 1
print(total)
