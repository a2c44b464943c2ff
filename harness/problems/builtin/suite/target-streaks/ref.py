class Solution:
    def countStreaks(self, changes, target):
        seen = {0: 1}  # prefix sums met so far, with how often
        total = streaks = 0
        for change in changes:
            total += change
            streaks += seen.get(total - target, 0)
            seen[total] = seen.get(total, 0) + 1
        return streaks
