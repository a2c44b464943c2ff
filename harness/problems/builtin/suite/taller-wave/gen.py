def generate(size, rng):
    # A falling trend with ties: most waves never see a taller one, so a plain scan goes far.
    heights = [(size - i) // 3 + rng.randint(1, 3) for i in range(size)]
    return f"{size}\n{' '.join(map(str, heights))}\n"
