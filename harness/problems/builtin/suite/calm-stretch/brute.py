class Solution:
    def longestCalm(self, heights, k):
        n = len(heights)
        best = 1
        for start in range(n):
            end = start
            while end + 1 < n and abs(heights[end + 1] - heights[end]) <= k:
                end += 1
            best = max(best, end - start + 1)
        return best
