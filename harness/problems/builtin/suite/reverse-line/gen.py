import string


def generate(size, rng):
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(size)) + "\n"
