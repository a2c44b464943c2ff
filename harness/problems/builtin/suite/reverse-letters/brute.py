class Solution:
    def reverseString(self, s):
        # Takes the last character, then drops it by copying the rest: quadratic in the length.
        out = []
        while s:
            out.append(s[-1])
            s = s[:-1]
        return "".join(out)
