import json


def generate(size, rng):
    k = rng.randint(0, 20)
    heights = [rng.randint(10**6, 2 * 10**6)]
    cliffs = {rng.randrange(1, max(2, size // 10)) for _ in range(3)}  # early breaks
    for i in range(1, size):
        step = rng.randint(k + 1, k + 100) if i in cliffs else rng.randint(0, k)
        heights.append(heights[-1] + rng.choice((-step, step)))
    return f"{json.dumps(heights)}\n{k}"
