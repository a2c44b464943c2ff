class Solution:
    def countStreaks(self, changes, target):
        streaks = 0
        n = len(changes)
        for start in range(n):
            total = 0
            for end in range(start, n):
                total += changes[end]
                if total == target:
                    streaks += 1
        return streaks
