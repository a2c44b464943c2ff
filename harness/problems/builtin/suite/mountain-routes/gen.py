def generate(size, rng):
    n = size
    # A hidden downhill order: checkpoint 1 on top, n at the bottom, the rest shuffled.
    middle = list(range(2, n))
    rng.shuffle(middle)
    order = [1, *middle, n] if n > 1 else [1]
    slopes = []
    for i in range(n - 1):
        slopes.append((order[i], order[i + 1]))  # a chain, so every test has routes
        for _ in range(2):
            j = rng.randint(i + 1, min(n - 1, i + 5))
            slopes.append((order[i], order[j]))
    rng.shuffle(slopes)
    return f"{n} {len(slopes)}\n" + "".join(f"{a} {b}\n" for a, b in slopes)
