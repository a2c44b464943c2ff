class Solution:
    def minJumps(self, reach):
        last = len(reach) - 1
        jumps, edge, farthest = 0, 0, 0  # stones up to `edge` take `jumps` jumps
        for i in range(last):
            farthest = max(farthest, i + reach[i])
            if i == edge:
                if farthest <= i:
                    return -1
                jumps, edge = jumps + 1, farthest
                if edge >= last:
                    break
        return jumps
