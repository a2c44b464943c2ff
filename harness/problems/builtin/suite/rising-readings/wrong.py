from bisect import bisect_right


class Solution:
    def longestRise(self, readings):
        tails = []
        for r in readings:
            k = bisect_right(tails, r)  # lets equal readings extend a rise
            if k == len(tails):
                tails.append(r)
            else:
                tails[k] = r
        return len(tails)
