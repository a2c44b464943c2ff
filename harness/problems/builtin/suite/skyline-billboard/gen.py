def generate(size, rng):
    rising = rng.random() < 0.5  # a skyline that climbs to the right end
    lines = [str(size)]
    for i in range(size):
        height = 1000 + 9 * i + rng.randint(0, 50) if rising else rng.randint(1, 10**6)
        lines.append(f"{rng.randint(1, 100)} {height}")
    return "\n".join(lines) + "\n"
