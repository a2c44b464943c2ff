def generate(size, rng):
    capacity = 100 * size
    lines = [f"{size} {capacity}"]
    for _ in range(size):
        weight = rng.randint(1, 200)
        lines.append(f"{weight} {weight * 50 + rng.randint(0, 4000)}")
    return "\n".join(lines) + "\n"
