class Solution:
    def multiply(self, a, b):
        # Adds a to itself b times: fine for small numbers, hopeless past a few million.
        total = 0
        for _ in range(b):
            total += a
        return total
