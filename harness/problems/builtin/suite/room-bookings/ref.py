class Solution:
    def minRooms(self, bookings):
        starts = sorted(s for s, _ in bookings)
        ends = sorted(e for _, e in bookings)
        rooms = best = j = 0
        for s in starts:
            while ends[j] <= s:
                j += 1
                rooms -= 1
            rooms += 1
            best = max(best, rooms)
        return best
