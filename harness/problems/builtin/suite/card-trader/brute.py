class Solution:
    def maxGain(self, prices, fee):
        best = 0
        n = len(prices)
        for buy in range(n):
            for sell in range(buy + 1, n):
                best = max(best, prices[sell] - prices[buy] - fee)
        return best
