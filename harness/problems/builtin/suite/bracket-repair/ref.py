s = input().strip()
open_count = insertions = 0
for ch in s:
    if ch == "(":
        open_count += 1
    elif open_count:
        open_count -= 1
    else:
        insertions += 1
print(insertions + open_count)
