class Solution:
    def countVowels(self, s):
        # Looks at the first character, then drops it by copying the rest: quadratic in the length.
        count = 0
        while s:
            if s[0] in "aeiou":
                count += 1
            s = s[1:]
        return count
