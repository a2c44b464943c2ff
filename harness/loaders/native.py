"""Native problem files: YAML or JSON, one problem per file or several under `problems:`.

Hidden tests are listed (`tests`), generated (`generator`), or both. A generator is a `gen.py`
defining `generate(size, rng) -> str` plus a trusted reference solution whose outputs become the
expected answers; both run in one subprocess per problem and the result is cached on disk.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import yaml

from codefront.harness.loaders import Loaded, ProblemLoadError
from codefront.harness.problems import DEFAULT_MEMORY_LIMIT_MB, DEFAULT_TIME_LIMIT_S, Problem, Test

FIELDS = (
    "id", "title", "statement", "test_type", "func_name", "starter_code", "difficulty",
    "time_limit", "memory_limit", "checker", "public_tests", "tests", "generator",
)  # fmt: skip
GENERATOR_FIELDS = ("file", "reference", "sizes", "seed")
TEST_TYPES = ("stdin", "functional")
DIFFICULTIES = ("easy", "medium", "hard")
STDIN_CHECKERS = ("tokens", "lines", "exact")
CACHE_VERSION = 1
GENERATION_TIMEOUT_S = 600.0
GENERATOR_FAILED, REFERENCE_FAILED = 2, 3


class _Mapping(dict):
    """A YAML mapping that remembers its own line and the line of each key."""

    line: int | None = None
    key_lines: dict[str, int]


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    pass


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> _Mapping:
    mapping = _Mapping(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {str(k.value): k.start_mark.line + 1 for k, _ in node.value}
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass(frozen=True)
class _Where:
    """Where a problem sits in its file, to name it in errors."""

    file: str
    prefix: str
    entry: object

    def error(self, field: str, message: str, line: int | None = None) -> ProblemLoadError:
        return ProblemLoadError(self.file, line or self.line_of(field), self.prefix + field, message)

    def line_of(self, field: str) -> int | None:
        top = field.split(".")[0].split("[")[0]
        return getattr(self.entry, "key_lines", {}).get(top) or getattr(self.entry, "line", None)


@dataclass(frozen=True)
class GeneratorSpec:
    gen: Path
    reference: Path
    sizes: tuple[int, ...]
    seed: int
    test_type: str
    func_name: str | None


def load_native(path: Path, strict: bool) -> Loaded:
    file = str(path)
    loaded = Loaded()
    try:
        entries = _entries(path)
    except ProblemLoadError as e:
        if strict:
            raise
        loaded.errors.append(e)
        return loaded
    seen: dict[str, str] = {}
    for prefix, entry in entries:
        where = _Where(file, prefix, entry)
        try:
            problem = _parse_problem(entry, where, path.parent)
            if problem.id in seen:
                raise where.error("id", f"duplicate id {problem.id!r} (first at {seen[problem.id] or 'top'})")
        except ProblemLoadError as e:
            if strict:
                raise
            loaded.errors.append(e)
            continue
        seen[problem.id] = prefix.rstrip(".")
        loaded.problems.append(problem)
    return loaded


def _entries(path: Path) -> list[tuple[str, object]]:
    """The file's problems, each with the field prefix that names it in errors."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ProblemLoadError(file, None, "document", f"cannot read: {e}") from None
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=_LineLoader)
    except json.JSONDecodeError as e:
        raise ProblemLoadError(file, e.lineno, "document", f"not valid JSON: {e.msg}") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark else None
        reason = getattr(e, "problem", None) or e
        raise ProblemLoadError(file, line, "document", f"not valid YAML: {reason}") from None
    if not isinstance(data, dict):
        raise ProblemLoadError(file, None, "document", "expected one problem, or `problems: [...]`")
    if "problems" not in data:
        return [("", data)]
    where = _Where(file, "", data)
    extra = sorted(set(data) - {"problems"}, key=str)
    if extra:
        raise where.error(str(extra[0]), "a file with `problems:` holds nothing else beside it")
    if not isinstance(data["problems"], list) or not data["problems"]:
        raise where.error("problems", "must be a non-empty list of problems")
    return [(f"problems[{i}].", entry) for i, entry in enumerate(data["problems"])]


def _parse_problem(entry: object, where: _Where, base: Path) -> Problem:
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
    checker = _checker(entry, functional, where)
    public = _tests(entry, "public_tests", functional, where)
    listed = _tests(entry, "tests", functional, where)
    spec = None
    if "generator" in entry:
        spec = _generator_spec(entry["generator"], where, base, test_type, func_name)
    time_limit = _positive(entry, "time_limit", DEFAULT_TIME_LIMIT_S, float, where)
    memory_limit = _positive(entry, "memory_limit", DEFAULT_MEMORY_LIMIT_MB, int, where)
    difficulty = _choice(entry, "difficulty", DIFFICULTIES, "unknown", where)
    generated = _generated_tests(spec, where) if spec else ()
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
        difficulty=difficulty,
        source="native",
    )


def _text(entry: dict, field: str, where: _Where, required: bool = False) -> str:
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


def _choice(entry: dict, field: str, allowed: tuple[str, ...], default: str, where: _Where) -> str:
    value = entry.get(field, default)
    if value not in allowed and value != default:
        raise where.error(field, f"must be one of {'|'.join(allowed)}, got {value!r}")
    return value


def _func_name(entry: dict, functional: bool, where: _Where) -> str | None:
    if not functional:
        if "func_name" in entry:
            raise where.error("func_name", "only functional problems call a method")
        return None
    name = entry.get("func_name")
    if not isinstance(name, str) or not name.isidentifier():
        raise where.error("func_name", "functional problems need the method name of `Solution` to call")
    return name


def _checker(entry: dict, functional: bool, where: _Where) -> str:
    if functional:
        if entry.get("checker", "json") != "json":
            raise where.error("checker", "functional problems always compare JSON values")
        return "json"
    return _choice(entry, "checker", STDIN_CHECKERS, "tokens", where)


def _positive(entry: dict, field: str, default, kind: type, where: _Where):
    value = entry.get(field, default)
    numeric = isinstance(value, int | float) if kind is float else isinstance(value, int)
    if isinstance(value, bool) or not numeric or value <= 0:
        unit = "seconds" if kind is float else "an integer number of MB"
        raise where.error(field, f"must be a positive number ({unit}), got {value!r}")
    return kind(value)


def _tests(entry: dict, field: str, functional: bool, where: _Where) -> tuple[Test, ...]:
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


def _check_json(test: Test, name: str, where: _Where, line: int | None) -> None:
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
    raw: object, where: _Where, base: Path, test_type: str, func_name: str | None
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


def cache_dir() -> Path:
    home = os.environ.get("CODEFRONT_HOME") or Path.home() / ".cache" / "codefront"
    return Path(home) / "tests"


def _generated_tests(spec: GeneratorSpec, where: _Where) -> tuple[Test, ...]:
    """The generator's inputs with the reference's outputs, from the cache when nothing changed."""
    gen_source, ref_source = spec.gen.read_text(), spec.reference.read_text()
    identity = [CACHE_VERSION, gen_source, ref_source, spec.sizes, spec.seed, spec.test_type, spec.func_name]
    key = json.dumps(identity)
    target = cache_dir() / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.json"
    try:
        return tuple(Test(i, o) for i, o in json.loads(target.read_text()))
    except (OSError, ValueError, TypeError):
        pass  # not cached yet, or a damaged entry: generate again
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, scratch = tempfile.mkstemp(dir=target.parent, prefix=".gen-", suffix=".json")
    os.close(fd)
    try:
        _run_generation(spec, Path(scratch), where)
        pairs = json.loads(Path(scratch).read_text())
        os.replace(scratch, target)
    finally:
        Path(scratch).unlink(missing_ok=True)
    return tuple(Test(i, o) for i, o in pairs)


def _run_generation(spec: GeneratorSpec, out: Path, where: _Where) -> None:
    job = {
        "gen": str(spec.gen), "reference": str(spec.reference), "sizes": list(spec.sizes),
        "seed": spec.seed, "test_type": spec.test_type, "func_name": spec.func_name, "out": str(out),
    }  # fmt: skip
    with tempfile.NamedTemporaryFile("w", suffix=".json") as job_file:
        json.dump(job, job_file)
        job_file.flush()
        try:
            done = subprocess.run(
                [sys.executable, "-m", __name__, job_file.name],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=GENERATION_TIMEOUT_S,
                cwd=spec.gen.parent,
            )
        except subprocess.TimeoutExpired:
            raise where.error("generator", f"took longer than {GENERATION_TIMEOUT_S:g}s") from None
    if done.returncode != 0:
        field = {GENERATOR_FAILED: "generator.file", REFERENCE_FAILED: "generator.reference"}
        lines = done.stderr.strip().splitlines() or [f"exit status {done.returncode}"]
        raise where.error(field.get(done.returncode, "generator"), lines[-1])


# What follows runs in the generation subprocess (`python -m codefront.harness.loaders.native JOB`).


def _fail(status: int, message: str) -> NoReturn:
    print(message, file=sys.stderr)
    sys.exit(status)


def _generate_inputs(job: dict) -> list[str]:
    namespace: dict = {"__name__": "codefront_generator"}
    try:
        exec(compile(Path(job["gen"]).read_text(), job["gen"], "exec"), namespace)
        generate = namespace["generate"]
    except Exception as e:
        _fail(GENERATOR_FAILED, f"cannot load generate(size, rng): {e!r}")
    inputs = []
    for size in job["sizes"]:
        try:
            text = generate(size, random.Random(f"{job['seed']}:{size}"))
        except Exception as e:
            _fail(GENERATOR_FAILED, f"generate({size}) raised {e!r}")
        if not isinstance(text, str):
            _fail(GENERATOR_FAILED, f"generate({size}) returned {type(text).__name__}, not str")
        inputs.append(text)
    return inputs


def _redirect(path: Path, target: int, flags: int) -> None:
    fd = os.open(path, flags, 0o600)
    if fd != target:  # a reference that closed fd 0 or 1 (open(0) collected) leaves it free
        os.dup2(fd, target)
        os.close(fd)


def _run_stdin_reference(code, text: str, scratch: Path) -> str:
    """Runs the reference as a script with fds 0 and 1 on files, so every way of reading and
    writing (input(), sys.stdin, open(0), sys.stdout.buffer) sees the test."""
    (scratch / "in").write_text(text)
    _redirect(scratch / "in", 0, os.O_RDONLY)
    _redirect(scratch / "out", 1, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    try:
        exec(code, {"__name__": "__main__", "__builtins__": __builtins__})
    except SystemExit as e:
        if e.code not in (None, 0):
            raise RuntimeError(f"exited with status {e.code}") from None
    finally:
        sys.stdout.flush()
    return (scratch / "out").read_text(encoding="utf-8")


def _generate_main(job_path: str) -> None:
    job = json.loads(Path(job_path).read_text())
    sys.setrecursionlimit(100_000)
    inputs = _generate_inputs(job)
    try:
        code = compile(Path(job["reference"]).read_text(), job["reference"], "exec")
    except (SyntaxError, ValueError) as e:
        _fail(REFERENCE_FAILED, f"cannot compile the reference: {e!r}")
    outputs = []
    with tempfile.TemporaryDirectory() as scratch:
        for size, text in zip(job["sizes"], inputs, strict=True):
            try:
                if job["test_type"] == "functional":
                    namespace: dict = {"__name__": "__main__"}
                    exec("from typing import *", namespace)
                    exec(code, namespace)
                    args = [json.loads(line) for line in text.split("\n") if line.strip()]
                    result = getattr(namespace["Solution"](), job["func_name"])(*args)
                    outputs.append(json.dumps(result, default=list))
                else:
                    outputs.append(_run_stdin_reference(code, text, Path(scratch)))
            except Exception as e:
                _fail(REFERENCE_FAILED, f"reference failed on size {size}: {e!r}")
    Path(job["out"]).write_text(json.dumps(list(zip(inputs, outputs, strict=True))))


if __name__ == "__main__":
    _generate_main(sys.argv[1])
