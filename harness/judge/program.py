"""The runner as one program for `python3 -c`: a sandbox needs nothing but its interpreter to judge,
and the judge's version is the hash of exactly what runs."""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import asdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODULES = ("wire", "checkers", "containment", "referee", "supervisor", "child", "execution")
"""What the runner imports besides the standard library, loaded under these names in this order
(each may import those before it) before the runner runs."""
PYTHON = ("python3", "-I", "-S", "-B")
"""Isolated mode: neither the environment nor the working directory (an agent's workspace, which may
hold a `json.py`) can change what the runner imports. No site start-up either (its .pth files cost
a few ms per submission): the bootstrap puts the site-packages directories on the path itself, so
submissions import what they would under a plain `python3`."""

_BOOTSTRAP = """
import sys, site, types
sys.path.extend(p for p in site.getsitepackages() if p not in sys.path)
for _name, _source in {modules!r}:
    _module = types.ModuleType(_name)
    sys.modules[_name] = _module
    exec(compile(_source, _name + ".py", "exec"), _module.__dict__)
del _name, _source, _module
exec(compile({runner!r}, "runner.py", "exec"), {{"__name__": "__main__", "__builtins__": __builtins__}})
"""


@functools.cache
def sources() -> dict[str, str]:
    return {name: (HERE / f"{name}.py").read_text() for name in (*MODULES, "runner")}


@functools.cache
def runner_command() -> tuple[str, ...]:
    code = sources()
    program = _BOOTSTRAP.format(modules=[(m, code[m]) for m in MODULES], runner=code["runner"])
    return (*PYTHON, "-c", program)


def judge_version(options: object) -> str:
    """Changes whenever the runner, the checkers, the wire format or the judge's options change."""
    payload = json.dumps([sources(), asdict(options)], sort_keys=True)  # type: ignore[call-overload]
    return hashlib.sha256(payload.encode()).hexdigest()[:16]
