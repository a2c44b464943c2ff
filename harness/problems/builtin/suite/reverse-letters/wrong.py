class Solution:
    def reverseString(self, s):
        return s[-1:0:-1]  # stops before the first letter
