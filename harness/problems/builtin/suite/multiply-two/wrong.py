class Solution:
    def multiply(self, a, b):
        return (a * b) % 2**32  # a 32-bit product: right until the numbers get large
