class Solution:
    def maxGain(self, prices, fee):
        best, low = 0, prices[0]
        for day in range(2, len(prices)):  # never sells on the second day
            low = min(low, prices[day - 1])
            best = max(best, prices[day] - low - fee)
        return best
