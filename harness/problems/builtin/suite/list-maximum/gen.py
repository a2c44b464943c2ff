def generate(size, rng):
    # Odd sizes hold only negative numbers.
    low, high = (-(10**9), -1) if size % 2 else (-(10**9), 10**9)
    numbers = [rng.randint(low, high) for _ in range(size)]
    return f"{size}\n{' '.join(map(str, numbers))}\n"
