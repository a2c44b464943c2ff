s = input().strip()
print(s[:0:-1])  # stops one short: the first character is lost
