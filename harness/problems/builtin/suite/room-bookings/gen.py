import json


def generate(size, rng):
    span = 10 * size + 10
    bookings = []
    for _ in range(size):
        start = rng.randint(0, span)
        bookings.append([start, start + rng.randint(1, 40)])
    for i in range(1, size, 2):  # back-to-back pairs sharing a boundary minute
        bookings[i] = [bookings[i - 1][1], bookings[i - 1][1] + rng.randint(1, 40)]
    rng.shuffle(bookings)
    return json.dumps(bookings)
