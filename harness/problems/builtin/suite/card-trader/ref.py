class Solution:
    def maxGain(self, prices, fee):
        best, low = 0, prices[0]
        for price in prices:
            if price - low - fee > best:
                best = price - low - fee
            if price < low:
                low = price
        return best
