class Solution:
    def minJumps(self, reach):
        last = len(reach) - 1
        jumps, edge, farthest = 0, 0, 0
        for i in range(last):
            farthest = max(farthest, i + reach[i])
            if i == edge:  # never notices that the frog is stuck
                jumps, edge = jumps + 1, farthest
                if edge >= last:
                    break
        return jumps
