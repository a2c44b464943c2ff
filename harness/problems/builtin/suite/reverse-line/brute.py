s = input().strip()
# Each character is put in front of a new copy of the result so far: quadratic in the length.
result = ""
for ch in s:
    result = ch + result
print(result)
