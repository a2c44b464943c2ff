class Solution:
    def countDistinct(self, nums):
        # Each value is looked up in a list of those seen so far: quadratic when most are distinct.
        seen = []
        for x in nums:
            if x not in seen:
                seen.append(x)
        return len(seen)
