class Solution:
    def minJumps(self, reach):
        n = len(reach)
        best = [0] + [-1] * (n - 1)
        for i in range(1, n):
            for j in range(i):
                if best[j] >= 0 and j + reach[j] >= i and (best[i] < 0 or best[j] + 1 < best[i]):
                    best[i] = best[j] + 1
        return best[n - 1]
