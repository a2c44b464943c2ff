"""The fields of one native problem: each checked, with an error that names the field and its line."""

from __future__ import annotations

import inspect
import json
from dataclasses import dataclass
from pathlib import Path

from codefront.harness.judge.runner.checkers import CHECKERS, validate_checker
from codefront.harness.problems.loaders.base import ProblemLoadError
from codefront.harness.problems.loaders.native_cache import generated_tests
from codefront.harness.problems.loaders.native_generation import GenerationError, GeneratorSpec
from codefront.records import DEFAULT_MEMORY_LIMIT_MB, DEFAULT_TIME_LIMIT_S, Problem, Test

FIELDS = (
    "id", "title", "statement", "test_type", "func_name", "starter_code", "difficulty",
    "time_limit", "memory_limit", "checker", "public_tests", "tests", "generator",
)  # fmt: skip
GENERATOR_FIELDS = ("file", "reference", "sizes", "seed")
TEST_TYPES = ("stdin", "functional")
DIFFICULTIES = ("starter", "easy", "medium", "hard")


@dataclass(frozen=True)
class Where:
    """Where a problem sits in its file, to name it in errors."""

    file: str
    prefix: str
    entry: object

    def error(self, field: str, message: str, line: int | None = None) -> ProblemLoadError:
        return ProblemLoadError(self.file, line or self.line_of(field), self.prefix + field, message)

    def line_of(self, field: str) -> int | None:
        top = field.split(".")[0].split("[")[0]
        return getattr(self.entry, "key_lines", {}).get(top) or getattr(self.entry, "line", None)


def parse_problem(entry: object, where: Where, base: Path) -> Problem:
    """One problem from its mapping; `base` is the folder that generator paths are relative to."""
    if not isinstance(entry, dict):
        name, kind = where.prefix.rstrip(".") or "document", type(entry).__name__
        raise ProblemLoadError(where.file, None, name, f"a problem must be a mapping, not {kind}")
    unknown = sorted(set(entry) - set(FIELDS), key=str)
    if unknown:
        raise where.error(str(unknown[0]), f"unknown field (known: {', '.join(FIELDS)})")
    problem_id = _text(entry, "id", where, required=True).strip()
    statement = _text(entry, "statement", where, required=True)
    if not problem_id or not statement.strip():
        raise where.error("id" if not problem_id else "statement", "must not be empty")
    test_type = _choice(entry, "test_type", TEST_TYPES, "stdin", where)
    functional = test_type == "functional"
    func_name = _func_name(entry, functional, where)
    checker, checker_args = _checker(entry, functional, where)
    public = _tests(entry, "public_tests", functional, where)
    listed = _tests(entry, "tests", functional, where)
    spec = None
    if "generator" in entry:
        spec = _generator_spec(entry["generator"], where, base, test_type, func_name)
    time_limit = _positive(entry, "time_limit", DEFAULT_TIME_LIMIT_S, float, where)
    memory_limit = _positive(entry, "memory_limit", DEFAULT_MEMORY_LIMIT_MB, int, where)
    difficulty = _choice(entry, "difficulty", DIFFICULTIES, "unknown", where)
    generated = _generated(spec, where) if spec else ()
    if not listed and not generated:
        raise where.error("tests", "no hidden tests: give `tests`, a `generator`, or both")
    return Problem(
        id=problem_id,
        title=_text(entry, "title", where),
        statement=statement,
        tests=listed + generated,
        test_type=test_type,
        func_name=func_name,
        starter_code=_text(entry, "starter_code", where),
        public_tests=public,
        time_limit_s=time_limit,
        memory_limit_mb=memory_limit,
        checker=checker,
        checker_args=checker_args,
        difficulty=difficulty,
        source="native",
    )


def _text(entry: dict, field: str, where: Where, required: bool = False) -> str:
    if field not in entry:
        if required:
            raise where.error(field, "missing")
        return ""
    value = entry[field]
    if isinstance(value, str):
        return value
    if field == "id" and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise where.error(field, f"must be a string, not {type(value).__name__}")


def _choice(entry: dict, field: str, allowed: tuple[str, ...], default: str, where: Where) -> str:
    value = entry.get(field, default)
    if value not in allowed and value != default:
        raise where.error(field, f"must be one of {'|'.join(allowed)}, got {value!r}")
    return value


def _func_name(entry: dict, functional: bool, where: Where) -> str | None:
    if not functional:
        if "func_name" in entry:
            raise where.error("func_name", "only functional problems call a method")
        return None
    name = entry.get("func_name")
    if not isinstance(name, str) or not name.isidentifier():
        raise where.error("func_name", "functional problems need the method name of `Solution` to call")
    return name


def _checker(entry: dict, functional: bool, where: Where) -> tuple[str, dict]:
    """`checker: NAME`, or `checker: {name: NAME, PARAMETER: VALUE, ...}` for one with parameters."""
    raw = entry.get("checker", "json" if functional else "tokens")
    name, args = raw, {}
    if isinstance(raw, dict):
        args = {str(k): v for k, v in raw.items() if k != "name"}
        name = raw.get("name")
    if not isinstance(name, str):
        message = (
            f"must be a checker name or {{name: NAME, PARAMETER: VALUE}} (checkers: {', '.join(CHECKERS)})"
        )
        raise where.error("checker.name" if isinstance(raw, dict) else "checker", message)
    if functional and name != "json":
        raise where.error("checker", "functional problems always compare JSON values (checker json)")
    try:
        validate_checker(name, args)
    except ValueError as e:
        raise where.error("checker", str(e)) from None
    for param, value in args.items():
        default = inspect.signature(CHECKERS[name]).parameters[param].default
        if isinstance(default, float) and (isinstance(value, bool) or not isinstance(value, int | float)):
            hint = " (YAML reads 1e-3 as text: write 1.0e-3 or 0.001)" if isinstance(value, str) else ""
            raise where.error(f"checker.{param}", f"must be a number, got {value!r}{hint}")
    return name, args


def _positive(entry: dict, field: str, default, kind: type, where: Where):
    value = entry.get(field, default)
    numeric = isinstance(value, int | float) if kind is float else isinstance(value, int)
    if isinstance(value, bool) or not numeric or value <= 0:
        unit = "seconds" if kind is float else "an integer number of MB"
        raise where.error(field, f"must be a positive number ({unit}), got {value!r}")
    return kind(value)


def _tests(entry: dict, field: str, functional: bool, where: Where) -> tuple[Test, ...]:
    cases = entry.get(field) or []
    if not isinstance(cases, list):
        raise where.error(field, "must be a list of {input, output}")
    tests = []
    for i, case in enumerate(cases):
        name, line = f"{field}[{i}]", getattr(case, "line", None)
        if not isinstance(case, dict) or set(case) != {"input", "output"}:
            raise where.error(name, "each test is a mapping with exactly `input` and `output`", line)
        texts = []
        for key in ("input", "output"):
            value = case[key]
            if isinstance(value, int) and not isinstance(value, bool):
                value = str(value)
            if not isinstance(value, str):
                kind = type(value).__name__
                raise where.error(f"{name}.{key}", f"must be a string (quote it), not {kind}", line)
            texts.append(value)
        test = Test(*texts)
        if functional:
            _check_json(test, f"{name}", where, line)
        tests.append(test)
    return tuple(tests)


def _check_json(test: Test, name: str, where: Where, line: int | None) -> None:
    """Functional inputs hold one JSON argument per line, and outputs one JSON value."""
    for number, arg in enumerate(test.input.split("\n"), 1):
        try:
            if arg.strip():
                json.loads(arg)
        except ValueError:
            message = f"line {number} is not a JSON value: {arg[:60]!r}"
            raise where.error(f"{name}.input", message, line) from None
    try:
        json.loads(test.output)
    except ValueError:
        raise where.error(f"{name}.output", f"not a JSON value: {test.output[:60]!r}", line) from None


def _generator_spec(
    raw: object, where: Where, base: Path, test_type: str, func_name: str | None
) -> GeneratorSpec:
    if not isinstance(raw, dict):
        raise where.error("generator", "must be a mapping with file, reference, sizes and seed")
    unknown = sorted(set(raw) - set(GENERATOR_FIELDS), key=str)
    if unknown:
        raise where.error(f"generator.{unknown[0]}", f"unknown field (known: {', '.join(GENERATOR_FIELDS)})")
    paths = []
    for key in ("file", "reference"):
        value = raw.get(key)
        if not isinstance(value, str) or not value:
            raise where.error(f"generator.{key}", "missing: a Python file path relative to the problem file")
        if not (base / value).is_file():
            raise where.error(f"generator.{key}", f"no such file: {base / value}")
        paths.append(base / value)
    sizes = raw.get("sizes")
    if (
        not isinstance(sizes, list)
        or not sizes
        or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in sizes)
    ):
        message = f"must be a non-empty list of non-negative integers, got {sizes!r}"
        raise where.error("generator.sizes", message)
    seed = raw.get("seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise where.error("generator.seed", f"must be an integer, got {seed!r}")
    return GeneratorSpec(paths[0], paths[1], tuple(sizes), seed, test_type, func_name)


def _generated(spec: GeneratorSpec, where: Where) -> tuple[Test, ...]:
    try:
        return generated_tests(spec)
    except GenerationError as e:
        raise where.error(e.field, e.message) from None
