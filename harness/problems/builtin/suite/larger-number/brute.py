class Solution:
    def larger(self, a, b):
        # Walks up from a one step at a time, looking for b: linear in the gap between them.
        x = a
        while x < b:
            x += 1
        return x
