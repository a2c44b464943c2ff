"""The runner as one program for `python3 -c`: a sandbox needs nothing but its interpreter to judge,
and the judge's version is the hash of exactly what runs."""

from __future__ import annotations

import functools
import hashlib
import json
import marshal
import sys
from dataclasses import asdict
from pathlib import Path

RUNNER_DIR = Path(__file__).resolve().parent / "runner"
"""The program that runs inside the sandbox: standard library only, its modules named bare."""
MODULES = ("wire", "checkers", "containment", "referee", "supervisor", "child", "worker", "execution")
"""What the runner imports besides the standard library, loaded under these names in this order
(each may import those before it) before the runner runs."""
PYTHON = ("python3", "-I", "-S", "-B")
"""Isolated mode: neither the environment nor the working directory (an agent's workspace, which may
hold a `json.py`) can change what the runner imports. No site start-up either (its .pth files cost
a few ms per submission): the bootstrap puts the site-packages directories on the path itself, so
submissions import what they would under a plain `python3`."""

_READ_COMPILED = """
import marshal, os, sys
def _read(n):
    chunk = os.read(0, n)
    if not chunk:  # the harness is gone: never spin on a closed pipe
        raise SystemExit("runner: stdin closed before the job arrived")
    return chunk
_line = b""
while not _line.endswith(b"\\n"):
    _line += _read(1)
_tag, _size = _line.split()
_compiled = b""
while len(_compiled) < int(_size):
    _compiled += _read(int(_size) - len(_compiled))
_compiled = marshal.loads(_compiled) if _tag.decode() == sys.implementation.cache_tag else {}
del _read, _line, _tag, _size
"""
"""Compiling the runner's modules costs about 8 ms per submission: they come compiled ahead of the
job on stdin (`<cache tag> <size>\\n<marshal>`), used where the sandbox's interpreter has the
harness's cache tag (marshal is stable within one), compiled from the sources here otherwise."""
_LOAD = """
import site, sys, types
sys.path.extend(p for p in site.getsitepackages() if p not in sys.path)
for _name, _source in {modules!r}:
    _module = types.ModuleType(_name)
    sys.modules[_name] = _module
    exec(_compiled.get(_name) or compile(_source, _name + ".py", "exec"), _module.__dict__)
del _name, _source, _module
_runner = _compiled.get("main") or compile({main!r}, "main.py", "exec")
"""
"""The runner's modules loaded under their names, and the runner compiled, from `_compiled`."""
RUNNER_ENTRY = 'exec(_runner, {"__name__": "__main__", "__builtins__": __builtins__})'
_WARM = """
_compiled = {{}}
{load}
if {functional!r}:
    exec(sys.modules["child"].PRELUDE, {{}})
"""
"""A fork server's preload: the runner ready to run (RUNNER_ENTRY) in each fork, and for functional
jobs LiveCodeBench's prelude imported (~16 ms a runner); stdin runners stay lean, because a test
process forked from a bigger heap costs more (see the runner's prepare)."""


@functools.cache
def sources() -> dict[str, str]:
    return {name: (RUNNER_DIR / f"{name}.py").read_text() for name in (*MODULES, "main")}


def _load() -> str:
    code = sources()
    return _LOAD.format(modules=[(m, code[m]) for m in MODULES], main=code["main"])


@functools.cache
def runner_command() -> tuple[str, ...]:
    return (*PYTHON, "-c", _READ_COMPILED + _load() + RUNNER_ENTRY)


@functools.cache
def warm_preload(functional: bool) -> str:
    """What a fork server runs once so that each fork runs RUNNER_ENTRY on a job (no compiled
    prefix: the server compiles the modules itself, once)."""
    return _WARM.format(load=_load(), functional=functional)


@functools.cache
def compiled_prefix() -> bytes:
    """What the runner reads on stdin before its job: its modules, compiled by this interpreter."""
    codes = {
        name: compile(source, name + ".py", "exec", dont_inherit=True) for name, source in sources().items()
    }
    blob = marshal.dumps(codes)
    return f"{sys.implementation.cache_tag} {len(blob)}\n".encode() + blob


def judge_version(options: object) -> str:
    """Changes whenever the runner, the checkers, the wire format or the judge's options change."""
    payload = json.dumps([sources(), asdict(options)], sort_keys=True)  # type: ignore[call-overload]
    return hashlib.sha256(payload.encode()).hexdigest()[:16]
