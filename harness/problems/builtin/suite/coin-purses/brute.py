MOD = 1_000_000_007


class Solution:
    def countWays(self, amounts, coins):
        def count(index, rest):
            if rest == 0:
                return 1
            if index == len(coins):
                return 0
            total, used = 0, 0
            while used <= rest:
                total += count(index + 1, rest - used)
                used += coins[index]
            return total

        return [count(0, a) % MOD for a in amounts]
