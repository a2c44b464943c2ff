def generate(size, rng):
    # The gap between the two grows with the size squared: past 10^11 on level 4.
    top = size * size
    a = rng.randint(-top, top)
    b = rng.randint(-top, top)
    if size % 3 == 0:
        a = -abs(a) - 1  # sometimes both negative
        b = -abs(b) - 1
    return f"{a}\n{b}"
