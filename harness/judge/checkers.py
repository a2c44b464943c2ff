"""Output checkers: one function each, picked by name. Standard library only: the runner imports
this file inside the sandbox. A checker that raises is the judge's failure (IE), never WA."""

from __future__ import annotations

import json
import math
import re

_INT = re.compile(r"[+-]?\d+\Z")
FLOAT_TOLERANCE = 1e-6


def _numbers_equal(got: str, want: str) -> bool:
    if _INT.match(got) and _INT.match(want):
        return int(got) == int(want)  # exact at any size
    try:
        a, b = float(got), float(want)
    except ValueError:
        return False
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=FLOAT_TOLERANCE, abs_tol=FLOAT_TOLERANCE)


def tokens(got: str, want: str) -> bool:
    """Whitespace-separated tokens; numbers equal within 1e-6 absolute or relative, integers exact."""
    got_tokens, want_tokens = got.split(), want.split()
    if len(got_tokens) != len(want_tokens):
        return False
    return all(g == w or _numbers_equal(g, w) for g, w in zip(got_tokens, want_tokens, strict=True))


def lines(got: str, want: str) -> bool:
    """Line by line, ignoring trailing whitespace on each line and trailing blank lines."""
    return [ln.rstrip() for ln in got.rstrip().splitlines()] == [
        ln.rstrip() for ln in want.rstrip().splitlines()
    ]


def exact(got: str, want: str) -> bool:
    return got == want


def _json_equal(got: object, want: object) -> bool:
    if isinstance(got, bool) or isinstance(want, bool):
        return got is want
    if isinstance(got, int | float) and isinstance(want, int | float):
        if isinstance(got, int) and isinstance(want, int):
            return got == want
        return math.isclose(got, want, rel_tol=FLOAT_TOLERANCE, abs_tol=FLOAT_TOLERANCE)
    if isinstance(got, list | tuple) and isinstance(want, list | tuple):
        return len(got) == len(want) and all(_json_equal(g, w) for g, w in zip(got, want, strict=True))
    if isinstance(got, dict) and isinstance(want, dict):
        return got.keys() == want.keys() and all(_json_equal(got[k], want[k]) for k in got)
    return got == want


def json_value(got: str, want: str) -> bool:
    """Functional tests: both sides are JSON texts of the return value."""
    try:
        got_value = json.loads(got)
    except ValueError:
        return False
    return _json_equal(got_value, json.loads(want))


CHECKERS = {"tokens": tokens, "lines": lines, "exact": exact, "json": json_value}
