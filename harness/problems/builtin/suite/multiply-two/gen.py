def generate(size, rng):
    # Values grow with the size squared: up to 10^12 on level 4, past 2^32 for their product early.
    top = size * size
    return f"{rng.randint(top // 2, top)}\n{rng.randint(top // 2, top)}"
