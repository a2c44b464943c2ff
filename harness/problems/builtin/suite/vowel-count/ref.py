class Solution:
    def countVowels(self, s):
        return sum(s.count(v) for v in "aeiou")
