class Solution:
    def sumList(self, nums):
        return sum(nums[1:])  # leaves out the first value
