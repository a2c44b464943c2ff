def generate(size, rng):
    n, q = max(1, size // 2), size
    ops = []
    for i in range(q):
        # Mostly cables first, so a large connected part forms, then mostly questions.
        cable = rng.random() < (0.95 if i < 0.7 * q else 0.1)
        kind = "+" if cable and i > 0 else "?"
        ops.append(f"{kind} {rng.randint(1, n)} {rng.randint(1, n)}")
    return f"{n} {q}\n" + "\n".join(ops) + "\n"
