def generate(size, rng):
    top = 10 * size
    lines = [str(size)]
    for _ in range(size):
        left = 1 if rng.random() < 0.3 else rng.randint(1, top)
        lines.append(f"{left} {rng.randint(left, top)}")
    return "\n".join(lines) + "\n"
