class Solution:
    def longestRise(self, readings):
        n = len(readings)
        longest = [1] * n
        for i in range(n):
            for j in range(i):
                if readings[j] < readings[i] and longest[j] + 1 > longest[i]:
                    longest[i] = longest[j] + 1
        return max(longest)
