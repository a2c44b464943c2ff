class Solution:
    def countDistinct(self, nums):
        return len(set(nums[:-1]))  # leaves out the last value
