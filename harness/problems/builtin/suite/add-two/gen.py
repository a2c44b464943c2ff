def generate(size, rng):
    # Values grow with the size squared: up to 10^6 on level 3, past 2^31 on level 4.
    top = size * size
    a = rng.randint(top // 2, top)
    b = rng.randint(top // 2, top)
    return f"{a} {b}\n"
