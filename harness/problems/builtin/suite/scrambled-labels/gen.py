def generate(size, rng):
    labels = []
    for _ in range(size):
        length = rng.randint(1, 6)
        labels.append("".join(rng.choice("abc") for _ in range(length)))
    if size >= 2:  # same letters, different counts: not twins
        labels[0], labels[1] = "aab", "abb"
    return f"{size}\n{' '.join(labels)}\n"
