import json


def generate(size, rng):
    spread = max(2, size // 4)  # many repeated values
    readings = [rng.randint(0, spread) + i // 3 for i in range(size)]
    return json.dumps(readings)
