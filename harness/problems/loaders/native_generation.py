"""Generated tests: a problem's `gen.py` makes the inputs and its trusted reference the expected
outputs, both in one subprocess (`python -m codefront.harness.problems.loaders.native_generation JOB`), so a
generator that crashes, loops or exits cannot take the loader down with it."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

GENERATION_TIMEOUT_S = 600.0
GENERATOR_FAILED, REFERENCE_FAILED = 2, 3


@dataclass(frozen=True)
class GeneratorSpec:
    gen: Path
    reference: Path
    sizes: tuple[int, ...]
    seed: int
    test_type: str
    func_name: str | None


class GenerationError(Exception):
    """The generator or the reference failed; `field` is the problem-file field to blame."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def run_generation(spec: GeneratorSpec, out: Path) -> None:
    """Write the (input, output) pairs to `out` as JSON, or raise GenerationError."""
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
            raise GenerationError("generator", f"took longer than {GENERATION_TIMEOUT_S:g}s") from None
    if done.returncode != 0:
        field = {GENERATOR_FAILED: "generator.file", REFERENCE_FAILED: "generator.reference"}
        lines = done.stderr.strip().splitlines() or [f"exit status {done.returncode}"]
        raise GenerationError(field.get(done.returncode, "generator"), lines[-1])


# What follows runs in the generation subprocess.


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


def _run_functional_reference(code, text: str, func_name: str) -> str:
    namespace: dict = {"__name__": "__main__"}
    exec("from typing import *", namespace)
    exec(code, namespace)
    args = [json.loads(line) for line in text.split("\n") if line.strip()]
    result = getattr(namespace["Solution"](), func_name)(*args)
    return json.dumps(result, default=list)


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
                    outputs.append(_run_functional_reference(code, text, job["func_name"]))
                else:
                    outputs.append(_run_stdin_reference(code, text, Path(scratch)))
            except Exception as e:
                _fail(REFERENCE_FAILED, f"reference failed on size {size}: {e!r}")
    Path(job["out"]).write_text(json.dumps(list(zip(inputs, outputs, strict=True))))


if __name__ == "__main__":
    _generate_main(sys.argv[1])
