def generate(size, rng):
    n = q = size
    amounts = [rng.randint(-(10**9), 10**9) for _ in range(n)]
    lines = [f"{n} {q}", " ".join(map(str, amounts))]
    for _ in range(q):
        left = rng.randint(1, n)
        right = rng.randint(left, n)
        lines.append(f"{left} {right}")
    return "\n".join(lines) + "\n"
