def generate(size, rng):
    top = max(4, size // 2)
    target = 2 * rng.randint(1, top // 2 + 1)  # even, so equal halves can pair up
    masses = [rng.randint(1, top) for _ in range(size)]
    if size >= 2:
        masses[0] = masses[1] = target // 2
    return f"{size} {target}\n{' '.join(map(str, masses))}\n"
