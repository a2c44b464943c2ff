"""The on-disk cache of generated tests, keyed by everything that decides them: the generator's and
the reference's source, the sizes, the seed and how the reference is called."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from codefront.harness.problems.loaders.native_generation import GeneratorSpec, run_generation
from codefront.records import Test

CACHE_VERSION = 1


def cache_dir() -> Path:
    home = os.environ.get("CODEFRONT_HOME") or Path.home() / ".cache" / "codefront"
    return Path(home) / "tests"


def cache_path(spec: GeneratorSpec) -> Path:
    gen_source, ref_source = spec.gen.read_text(), spec.reference.read_text()
    identity = [CACHE_VERSION, gen_source, ref_source, spec.sizes, spec.seed, spec.test_type, spec.func_name]
    key = json.dumps(identity)
    return cache_dir() / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.json"


def generated_tests(spec: GeneratorSpec) -> tuple[Test, ...]:
    """The generator's inputs with the reference's outputs, from the cache when nothing changed.
    Raises GenerationError when the generator or the reference fails."""
    target = cache_path(spec)
    try:
        return tuple(Test(i, o) for i, o in json.loads(target.read_text()))
    except (OSError, ValueError, TypeError):
        pass  # not cached yet, or a damaged entry: generate again
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, scratch = tempfile.mkstemp(dir=target.parent, prefix=".gen-", suffix=".json")
    os.close(fd)
    try:
        run_generation(spec, Path(scratch))
        pairs = json.loads(Path(scratch).read_text())
        os.replace(scratch, target)
    finally:
        Path(scratch).unlink(missing_ok=True)
    return tuple(Test(i, o) for i, o in pairs)
