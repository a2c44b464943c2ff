from bisect import bisect_left


class Solution:
    def longestRise(self, readings):
        tails = []  # tails[k]: smallest last reading of a rise of length k + 1
        for r in readings:
            k = bisect_left(tails, r)
            if k == len(tails):
                tails.append(r)
            else:
                tails[k] = r
        return len(tails)
