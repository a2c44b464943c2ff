class Solution:
    def countDistinct(self, nums):
        return len(set(nums))
