import json


def generate(size, rng):
    # About two values in three are distinct; the last one is sometimes new, sometimes a repeat.
    return json.dumps([rng.randint(1, size) for _ in range(size)])
