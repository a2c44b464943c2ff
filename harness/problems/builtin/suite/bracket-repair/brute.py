s = input().strip()
while True:
    shorter = s.replace("()", "")
    if shorter == s:
        break
    s = shorter
print(len(s))
