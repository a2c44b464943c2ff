def generate(size, rng):
    reach = min(10**9, 50 * size * size + 100)  # the fence outgrows any bitmap at the top sizes
    longest = max(2, 3 * reach // size)
    segments = []
    for _ in range(size):
        left = rng.randint(0, reach - 2)
        right = min(reach, left + rng.randint(1, longest))
        segments.append(f"{left} {right}")
        if rng.random() < 0.3:  # a short segment nested in the last one
            inner = rng.randint(left, right - 1)
            segments.append(f"{inner} {rng.randint(inner + 1, right)}")
    segments = segments[:size]
    return f"{size}\n" + "\n".join(segments) + "\n"
