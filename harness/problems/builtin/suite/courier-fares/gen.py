def generate(size, rng):
    n = size
    m = 2 * n if n > 1 else 0
    roads = []
    for _ in range(m):
        a, b = rng.randint(1, n), rng.randint(1, n)
        roads.append(f"{a} {b} {rng.randint(1, 10**6)}")
    return f"{n} {m}\n" + "".join(f"{r}\n" for r in roads)
