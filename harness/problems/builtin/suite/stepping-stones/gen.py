import json


def generate(size, rng):
    longest = min(size, size // 200 + 2)
    reach = [rng.randint(1, longest) for _ in range(size)]
    if size >= 3 and size % 2 == 1:  # a wall of dead stones no jump can clear
        start = rng.randrange(1, size - 1)
        for i in range(start, min(size - 1, start + longest + 1)):
            reach[i] = 0
    return json.dumps(reach)
