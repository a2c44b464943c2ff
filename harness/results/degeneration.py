"""Degeneration signals of a completion: extrapolated weights show them first."""

from __future__ import annotations

from collections import Counter

from codefront.records import Attempt, Degeneration

LOOP_RUN = 6
"""This many identical non-blank lines in a row is a loop."""
LOOP_SHARE = 0.3
LOOP_MIN_LINES = 20


def detect(attempt: Attempt) -> Degeneration:
    return Degeneration(
        hit_max_tokens=attempt.finish_reason == "length",
        empty=not attempt.completion.strip(),
        no_code=attempt.code is None,
        loop=is_looping(attempt.completion),
    )


def is_looping(text: str) -> bool:
    """Long runs of one repeated line, or one line making up a large share of a long text."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    run = 1
    for previous, line in zip(lines, lines[1:], strict=False):
        run = run + 1 if line == previous else 1
        if run >= LOOP_RUN:
            return True
    if len(lines) < LOOP_MIN_LINES:
        return False
    _, count = Counter(line for line in lines if len(line) > 3).most_common(1)[0] if lines else ("", 0)
    return count / len(lines) >= LOOP_SHARE
