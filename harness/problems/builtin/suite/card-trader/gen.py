import json


def generate(size, rng):
    if size == 2:  # the best (and only) sale is on the second day
        return f"[{rng.randint(1, 100)}, {rng.randint(200, 300)}]\n{rng.randint(0, 50)}"
    prices = [rng.randint(0, 10**9) for _ in range(size)]
    fee = rng.randint(0, 10**8)
    return f"{json.dumps(prices)}\n{fee}"
