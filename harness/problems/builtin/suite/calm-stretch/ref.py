class Solution:
    def longestCalm(self, heights, k):
        best = run = 1
        for i in range(1, len(heights)):
            run = run + 1 if abs(heights[i] - heights[i - 1]) <= k else 1
            if run > best:
                best = run
        return best
