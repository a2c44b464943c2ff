class Solution:
    def minRooms(self, bookings):
        best = 0
        for s, _ in bookings:
            busy = 0
            for start, end in bookings:
                if start <= s < end:
                    busy += 1
            best = max(best, busy)
        return best
