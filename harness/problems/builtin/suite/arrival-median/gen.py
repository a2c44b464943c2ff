def generate(size, rng):
    weights = [rng.randint(1, 10**9) for _ in range(size)]
    return f"{size}\n{' '.join(map(str, weights))}\n"
