"""LiveCodeBench `code_generation_lite` rows, exactly as published, one JSON object per line."""

from __future__ import annotations

import base64
import io
import json
import pickle
import zlib
from pathlib import Path

from codefront.harness.problems.loaders.base import Loaded, ProblemFormat, ProblemLoadError
from codefront.harness.problems.loaders.rows import columns
from codefront.records import Problem, Test

REQUIRED = ("question_id", "question_content", "public_test_cases", "private_test_cases")
SIGNATURE = ("question_content", "private_test_cases")
"""Keys that tell a LiveCodeBench row from another JSONL format's record."""


def decode_private_tests(raw: str) -> list:
    """Private tests are a JSON string, or base64 of zlib of a pickled JSON string: both occur."""
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        pass
    text = _StringsOnly(io.BytesIO(zlib.decompress(base64.b64decode(raw)))).load()
    if not isinstance(text, str):
        raise ValueError(f"the pickle holds a {type(text).__name__}, not a JSON string")
    return json.loads(text)


class _StringsOnly(pickle.Unpickler):
    """LiveCodeBench pickles a plain string: refuse to resolve any class, so nothing runs."""

    def find_class(self, module: str, name: str):
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}")


def _tests(cases: list, file: str, line: int, field: str) -> tuple[tuple[Test, ...], set[str]]:
    tests, types = [], set()
    for i, case in enumerate(cases):
        if not isinstance(case, dict) or not {"input", "output"} <= case.keys():
            raise ProblemLoadError(file, line, f"{field}[{i}]", "each test needs 'input' and 'output'")
        tests.append(Test(str(case["input"]), str(case["output"])))
        types.add(case.get("testtype", "stdin"))
    return tuple(tests), types


def parse_row(row: dict, file: str, line: int, hidden: str = "private+public") -> Problem:
    for key in REQUIRED:
        if key not in row:
            raise ProblemLoadError(file, line, key, "missing")
    try:
        public_cases = json.loads(row["public_test_cases"])
    except (TypeError, json.JSONDecodeError) as e:
        raise ProblemLoadError(file, line, "public_test_cases", f"not a JSON list ({e})") from None
    try:
        private_cases = decode_private_tests(row["private_test_cases"]) if row["private_test_cases"] else []
    except Exception as e:
        raise ProblemLoadError(
            file, line, "private_test_cases", f"neither JSON nor base64-zlib-pickle ({e})"
        ) from None
    public, public_types = _tests(public_cases, file, line, "public_test_cases")
    private, private_types = _tests(private_cases, file, line, "private_test_cases")
    types = public_types | private_types
    if len(types) > 1 or not types <= {"stdin", "functional"}:
        raise ProblemLoadError(
            file, line, "testtype", f"expected one of stdin|functional, got {sorted(types)}"
        )
    test_type = types.pop() if types else "stdin"
    func_name = None
    if test_type == "functional":
        try:
            func_name = json.loads(row.get("metadata") or "{}")["func_name"]
        except (json.JSONDecodeError, KeyError, TypeError):
            raise ProblemLoadError(
                file, line, "metadata", "functional tests need metadata.func_name"
            ) from None
    hidden_tests = {"private+public": private + public, "private": private, "public": public}[hidden]
    if not hidden_tests:
        raise ProblemLoadError(file, line, "private_test_cases", "no tests")
    return Problem(
        id=str(row["question_id"]),
        title=row.get("question_title", ""),
        statement=row["question_content"],
        tests=hidden_tests,
        public_tests=public,
        test_type=test_type,
        func_name=func_name,
        starter_code=row.get("starter_code") or "",
        difficulty=str(row.get("difficulty") or "unknown").lower(),
        source=f"livecodebench/{row.get('platform', 'unknown')}",
        contest_date=str(row.get("contest_date") or ""),
        platform=str(row.get("platform") or "").lower(),
    )


def load_lcb(path: Path, strict: bool = False, hidden: str = "private+public") -> Loaded:
    loaded = Loaded()
    with path.open() as f:
        for number, text in enumerate(f, start=1):
            if not text.strip():
                continue
            try:
                try:
                    row = json.loads(text)
                except json.JSONDecodeError as e:
                    raise ProblemLoadError(str(path), number, "(row)", f"not valid JSON: {e}") from None
                if not isinstance(row, dict):
                    raise ProblemLoadError(str(path), number, "(row)", "not a JSON object")
                loaded.problems.append(parse_row(row, str(path), number, hidden))
            except ProblemLoadError as e:
                if strict:
                    raise
                loaded.errors.append(e)
    return loaded


def looks_like_lcb(path: Path) -> bool:
    """The file's first JSON object (among its first lines) carries LiveCodeBench's keys."""
    return set(SIGNATURE) <= columns(path)


LCB = ProblemFormat(
    name="lcb",
    description="LiveCodeBench code_generation_lite rows",
    suffixes=(".jsonl",),
    recognises=looks_like_lcb,
    load=lambda path, options: load_lcb(path, options.strict, options.hidden),
)
