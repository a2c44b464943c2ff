"""TACO (BAAI/TACO) and APPS (codeparrot/apps) rows, as JSONL or Parquet: `question`, `input_output` (a
JSON string of `inputs`, `outputs` and, for call-based rows, `fn_name`), `solutions` (a JSON string
list), `difficulty`; TACO adds `time_limit`/`memory_limit` strings ("2 seconds", "256 megabytes").

Standard-input rows give stdin tests (a list of lines joined by newlines). Call-based rows give
functional tests: each input is the list of arguments, written one JSON value per line, as the
runner calls `Solution().<fn_name>(*args)`. APPS wraps each expected return value in a one-element
list (its grader accepts either): when every output of a row is so wrapped, the value inside is
expected. The data's solutions for call-based rows are often top-level functions: as references
they get a `Solution` class that forwards to the function (`solution_class_for`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from codefront.harness.problems.loaders.base import ProblemFormat, ProblemLoadError
from codefront.harness.problems.loaders.rows import columns, load_rows
from codefront.records import DEFAULT_MEMORY_LIMIT_MB, DEFAULT_TIME_LIMIT_S, Problem, Test

SIGNATURE = {"question", "input_output"}
SECONDS = re.compile(r"^\s*([\d.]+)\s*(s|sec|secs|second|seconds)?\s*$", re.IGNORECASE)
MEGABYTES = re.compile(r"^\s*([\d.]+)\s*(mb|megabytes?|mib)?\s*$", re.IGNORECASE)


def parse_limit(text: object, pattern: re.Pattern, default: float) -> float:
    """ "2 seconds" -> 2.0, "256 megabytes" -> 256.0; anything else (None, "None", "-") the default."""
    match = pattern.match(str(text)) if text is not None else None
    try:
        value = float(match[1]) if match else 0.0
    except ValueError:
        return default
    return value if value > 0 else default


def solution_class_for(code: str, func_name: str) -> str:
    """The code, plus a `Solution` class forwarding to its top-level `func_name` if it defines none."""
    if re.search(r"^class\s+Solution\b", code, re.MULTILINE):
        return code
    return (
        f"{code}\n\n\nclass Solution:  # added by codefront: the runner calls Solution().{func_name}\n"
        f"    {func_name} = staticmethod({func_name})\n"
    )


def _text(value: object) -> str:
    return "\n".join(map(str, value)) if isinstance(value, list) else str(value)


def _call_tests(inputs: list, outputs: list, file: str, line: int) -> tuple[Test, ...]:
    if not all(isinstance(args, list) for args in inputs):
        raise ProblemLoadError(file, line, "input_output.inputs", "call-based inputs must be argument lists")
    wrapped = all(isinstance(o, list) and len(o) == 1 for o in outputs)
    expected = [o[0] for o in outputs] if wrapped else outputs
    return tuple(
        Test("\n".join(json.dumps(a) for a in args), json.dumps(want))
        for args, want in zip(inputs, expected, strict=True)
    )


def _io(row: dict, file: str, line: int) -> dict:
    try:
        io = json.loads(row["input_output"]) if isinstance(row["input_output"], str) else row["input_output"]
    except json.JSONDecodeError as e:
        raise ProblemLoadError(file, line, "input_output", f"not a JSON string ({e})") from None
    if (
        not isinstance(io, dict)
        or not isinstance(io.get("inputs"), list)
        or not isinstance(io.get("outputs"), list)
    ):
        raise ProblemLoadError(file, line, "input_output", "needs 'inputs' and 'outputs' lists")
    if len(io["inputs"]) != len(io["outputs"]) or not io["inputs"]:
        raise ProblemLoadError(
            file, line, "input_output", f"{len(io['inputs'])} inputs, {len(io['outputs'])} outputs"
        )
    return io


def _solutions(row: dict) -> list[str]:
    raw = row.get("solutions")
    try:
        solutions = json.loads(raw) if isinstance(raw, str) and raw else raw or []
    except json.JSONDecodeError:
        return []
    return [s for s in solutions if isinstance(s, str) and s.strip()] if isinstance(solutions, list) else []


def parse_row(row: dict, file: str, line: int) -> Problem:
    if not isinstance(row.get("question"), str) or "input_output" not in row:
        raise ProblemLoadError(file, line, "question", "missing")
    io = _io(row, file, line)
    func_name = io.get("fn_name") or None
    if func_name:
        tests = _call_tests(io["inputs"], io["outputs"], file, line)
        references = tuple(solution_class_for(code, func_name) for code in _solutions(row))
    else:
        tests = tuple(Test(_text(i), _text(o)) for i, o in zip(io["inputs"], io["outputs"], strict=True))
        references = tuple(_solutions(row))
    source = str(row.get("source") or "").lower()
    return Problem(
        # APPS numbers its rows; TACO rows carry no id, so the file and row number name them.
        id=str(row["problem_id"]) if row.get("problem_id") is not None else f"{Path(file).stem}-{line}",
        title=str(row.get("name") or ""),
        statement=row["question"],
        tests=tests,
        test_type="functional" if func_name else "stdin",
        func_name=func_name,
        starter_code=row.get("starter_code") or "",
        time_limit_s=parse_limit(row.get("time_limit"), SECONDS, DEFAULT_TIME_LIMIT_S),
        memory_limit_mb=int(parse_limit(row.get("memory_limit"), MEGABYTES, DEFAULT_MEMORY_LIMIT_MB)),
        difficulty=str(row.get("difficulty") or "unknown").lower(),
        source=f"taco/{source}" if "time_limit" in row else "apps",
        contest_date=str(row.get("date") or ""),
        platform=source,
        references=references,
    )


TACO = ProblemFormat(
    name="taco",
    description="TACO or APPS rows",
    suffixes=(".jsonl", ".parquet"),
    recognises=lambda path: columns(Path(path)) >= SIGNATURE,
    load=lambda path, options: load_rows(path, options, parse_row),
)
