import json
import string


def generate(size, rng):
    letters = [rng.choice(string.ascii_lowercase) for _ in range(size)]
    if size >= 2:
        letters[rng.randrange(size)] = "y"
    return json.dumps("".join(letters))
