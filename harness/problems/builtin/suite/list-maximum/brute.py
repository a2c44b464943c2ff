import sys

data = sys.stdin.buffer.read().split()
n = int(data[0])
numbers = list(map(int, data[1 : 1 + n]))
# A number is the largest when no other number is greater: every pair is compared.
for x in numbers:
    if sum(1 for y in numbers if y > x) == 0:
        print(x)
        break
