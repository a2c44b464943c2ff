import json
import string


def generate(size, rng):
    return json.dumps("".join(rng.choice(string.ascii_lowercase) for _ in range(size)))
