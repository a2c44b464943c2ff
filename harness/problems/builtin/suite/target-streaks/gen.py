import json


def generate(size, rng):
    changes = [rng.randint(-3, 3) for _ in range(size)]
    target = sum(changes[: rng.randint(1, size)])  # some streak from day 0 always hits it
    return f"{json.dumps(changes)}\n{target}"
