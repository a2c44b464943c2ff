class Solution:
    def larger(self, a, b):
        return max(a, b)
