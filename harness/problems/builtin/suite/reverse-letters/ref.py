class Solution:
    def reverseString(self, s):
        return s[::-1]
