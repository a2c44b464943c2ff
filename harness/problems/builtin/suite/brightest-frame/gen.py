def generate(size, rng):
    k = rng.randint(1, size) if size < 1000 else size // 2
    readings = [rng.randint(-(10**9), 10**9) for _ in range(size)]
    return f"{size} {k}\n{' '.join(map(str, readings))}\n"
