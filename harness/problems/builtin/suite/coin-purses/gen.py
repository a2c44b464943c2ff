import json


def generate(size, rng):
    top = min(size, 60)
    coins = sorted(rng.sample(range(1, top + 1), min(top, rng.randint(2, 8))))
    amounts = [rng.randint(1, size) for _ in range(size)]
    return f"{json.dumps(amounts)}\n{json.dumps(coins)}"
