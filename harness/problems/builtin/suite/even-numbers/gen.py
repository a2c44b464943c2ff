import json


def generate(size, rng):
    # Values grow with the length, so finding the parity by subtraction is quadratic.
    return json.dumps([rng.randint(0, 2 * size) for _ in range(size)])
