"""The built-in suite: original problems shipped with the harness, each with its own generator,
reference, and where present a brute force (right but too slow) and a subtly wrong solution."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from codefront.harness.problems.loaders.native import load_native
from codefront.records import Problem

PROBLEMS_DIR = Path(__file__).resolve().parent / "suite"
DIFFICULTY_ORDER = {"starter": 0, "easy": 1, "medium": 2, "hard": 3}
SOLUTION_FILES = {"reference": "ref.py", "brute": "brute.py", "wrong": "wrong.py"}


def problem_ids() -> list[str]:
    return sorted(p.parent.name for p in PROBLEMS_DIR.glob("*/problem.yaml"))


def load_builtin() -> list[Problem]:
    """Every built-in problem, easy to hard and by id within a difficulty.

    The first call generates the tests (one subprocess per problem, in parallel); later calls
    read them from the on-disk cache."""
    files = [PROBLEMS_DIR / pid / "problem.yaml" for pid in problem_ids()]
    with ThreadPoolExecutor(max_workers=max(1, len(os.sched_getaffinity(0)))) as pool:
        parts = list(pool.map(lambda f: load_native(f, strict=True), files))
    problems = [p for part in parts for p in part.problems]
    return sorted(problems, key=lambda p: (DIFFICULTY_ORDER.get(p.difficulty, len(DIFFICULTY_ORDER)), p.id))


def solutions(problem_id: str) -> dict[str, str]:
    """The source of each solution kind the problem ships: `reference` always, `brute` and `wrong`
    where present."""
    if problem_id not in problem_ids():
        raise KeyError(f"no built-in problem {problem_id!r}")
    folder = PROBLEMS_DIR / problem_id
    return {
        kind: (folder / name).read_text(encoding="utf-8")
        for kind, name in SOLUTION_FILES.items()
        if (folder / name).is_file()
    }
