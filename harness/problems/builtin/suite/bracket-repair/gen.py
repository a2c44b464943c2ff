def generate(size, rng):
    if size < 1000:
        return "".join(rng.choice("()") for _ in range(size)) + "\n"
    # Deep nesting, with a few stray brackets sprinkled in.
    depth = size // 2 - 10
    chars = list("(" * depth + ")" * depth)
    for _ in range(20):
        chars.insert(rng.randrange(len(chars) + 1), rng.choice("()"))
    return "".join(chars) + "\n"
