MOD = 1_000_000_007


class Solution:
    def countWays(self, amounts, coins):
        top = max(amounts)
        ways = [1] + [0] * top
        for coin in coins:
            for total in range(coin, top + 1):
                ways[total] = (ways[total] + ways[total - coin]) % MOD
        return [ways[a] for a in amounts]
