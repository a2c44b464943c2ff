"""DeepMind CodeContests rows (deepmind/code_contests), as Parquet or as JSONL of the same records.

A row's public tests are shown; its hidden tests are its private tests followed by its generated
ones (mutations of the private inputs, of many sizes), so the nested-coverage ladder, which sorts
hidden tests by input size, spreads them over every level. Each row keeps its own time and memory
limit, and its correct Python 3 solutions become the problem's references.
"""

from __future__ import annotations

from pathlib import Path

from codefront.harness.problems.loaders.base import ProblemFormat, ProblemLoadError
from codefront.harness.problems.loaders.rows import columns, load_rows
from codefront.records import DEFAULT_MEMORY_LIMIT_MB, DEFAULT_TIME_LIMIT_S, Problem, Test

SIGNATURE = {"name", "description", "public_tests", "private_tests", "generated_tests"}
PYTHON3 = 3
"""The `language` enum: UNKNOWN_LANGUAGE 0, PYTHON (2) 1, CPP 2, PYTHON3 3, JAVA 4."""
DIFFICULTIES = ("unknown", "easy", "medium", "hard", "harder", "hardest", "external",
                *"abcdefghijklmnopqrstuv")  # fmt: skip
"""The `difficulty` enum in order: 0 UNKNOWN_DIFFICULTY ... 6 EXTERNAL, then Codeforces' A (7) ... V (28)."""
SOURCES = ("unknown", "codechef", "codeforces", "hackerearth", "codejam", "atcoder", "aizu")
"""The `source` enum in order."""


def _tests(row: dict, key: str, file: str, line: int) -> tuple[Test, ...]:
    block = row.get(key) or {"input": [], "output": []}
    inputs, outputs = block.get("input") or [], block.get("output") or []
    if len(inputs) != len(outputs):
        raise ProblemLoadError(file, line, key, f"{len(inputs)} inputs but {len(outputs)} outputs")
    return tuple(Test(str(i), str(o)) for i, o in zip(inputs, outputs, strict=True))


def _enum(values: tuple[str, ...], index: object) -> str:
    return values[index] if isinstance(index, int) and 0 <= index < len(values) else "unknown"


def time_limit_s(row: dict) -> float:
    limit = row.get("time_limit") or {}
    seconds = (limit.get("seconds") or 0) + (limit.get("nanos") or 0) / 1e9
    return seconds if seconds > 0 else DEFAULT_TIME_LIMIT_S


def memory_limit_mb(row: dict) -> int:
    limit = row.get("memory_limit_bytes") or 0
    return max(1, limit >> 20) if limit > 0 else DEFAULT_MEMORY_LIMIT_MB


def python_solutions(row: dict) -> tuple[str, ...]:
    block = row.get("solutions") or {}
    pairs = zip(block.get("language") or [], block.get("solution") or [], strict=False)
    return tuple(code for language, code in pairs if language == PYTHON3)


def parse_row(row: dict, file: str, line: int) -> Problem:
    for key in ("name", "description"):
        if not isinstance(row.get(key), str) or not row[key]:
            raise ProblemLoadError(file, line, key, "missing")
    hidden = _tests(row, "private_tests", file, line) + _tests(row, "generated_tests", file, line)
    if not hidden:
        raise ProblemLoadError(file, line, "private_tests", "no private or generated tests")
    source = _enum(SOURCES, row.get("source"))
    return Problem(
        id=row["name"],
        title=row["name"],
        statement=row["description"],
        tests=hidden,
        public_tests=_tests(row, "public_tests", file, line),
        time_limit_s=time_limit_s(row),
        memory_limit_mb=memory_limit_mb(row),
        difficulty=_enum(DIFFICULTIES, row.get("difficulty")),
        source=f"code_contests/{source}",
        platform=source,
        references=python_solutions(row),
    )


CODE_CONTESTS = ProblemFormat(
    name="code_contests",
    description="DeepMind CodeContests rows",
    suffixes=(".parquet", ".jsonl"),
    recognises=lambda path: columns(Path(path)) >= SIGNATURE,
    load=lambda path, options: load_rows(path, options, parse_row),
)
