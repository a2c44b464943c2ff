class Solution:
    def countEvens(self, nums):
        # Finds each parity by taking 2 away until 0 or 1 is left: slow for large values.
        count = 0
        for x in nums:
            while x > 1:
                x -= 2
            count += x == 0
        return count
