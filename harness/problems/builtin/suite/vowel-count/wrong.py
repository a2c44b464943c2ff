class Solution:
    def countVowels(self, s):
        return sum(1 for ch in s if ch in "aeiouy")  # counts y as a vowel
