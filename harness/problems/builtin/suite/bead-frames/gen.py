def generate(size, rng):
    k = rng.randint(1, size) if size < 1000 else size // 2
    palette = [rng.randint(1, 10**9) for _ in range(max(1, size // 3))]
    colours = [rng.choice(palette) for _ in range(size)]
    return f"{size} {k}\n{' '.join(map(str, colours))}\n"
