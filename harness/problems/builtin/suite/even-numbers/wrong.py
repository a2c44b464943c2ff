class Solution:
    def countEvens(self, nums):
        return sum(1 for x in nums if x % 2 == 0 and x > 0)  # forgets that 0 is even
