"""Time limits calibrated to this machine (`harness calibrate`), applied with `--limits FILE`.

Each problem's reference solutions run several times on every hidden test; its limit is
max(floor, factor × the slowest test's CPU time), so a machine twice as slow gets limits twice as
long and "too slow" keeps meaning the same thing. The factor and floor are written with the limits.
A problem whose reference fails its own tests is reported as bad data and gets no limit.
"""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from codefront.harness.judge.judge import JudgeOptions, judge_many
from codefront.records import Problem
from codefront.sandbox.base import SandboxBackend

PROBE_FACTOR = 5.0
"""References run under this many times the problem's own limit (at least PROBE_FLOOR_S), so a slow
machine measures them instead of cutting them off."""
PROBE_FLOOR_S = 10.0


@dataclass(frozen=True)
class Calibration:
    factor: float
    floor_s: float
    runs: int
    limits: dict[str, float] = field(default_factory=dict)
    """Problem id -> calibrated CPU seconds per test."""
    slowest_s: dict[str, float] = field(default_factory=dict)
    bad: dict[str, str] = field(default_factory=dict)
    """Problem id -> how its reference failed its own tests."""
    without_references: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"factor": self.factor, "floor_s": self.floor_s, "runs": self.runs,
                "machine": {"cpus": os.cpu_count(), "processor": platform.processor() or platform.machine()},
                "limits": self.limits, "slowest_s": self.slowest_s, "bad": self.bad,
                "without_references": list(self.without_references)}  # fmt: skip


def references_for(problem: Problem, folder: Path | None, builtin: bool = False) -> tuple[str, ...]:
    """The data's own references, the built-in suite's reference (`builtin`: the problem is one of the
    suite's), and `folder/<id>.py` or `folder/<id>/*.py`."""
    found = list(problem.references)
    if builtin:
        from codefront.harness.problems.builtin import solutions

        found.append(solutions(problem.id)["reference"])
    if folder is not None:
        files = [folder / f"{problem.id}.py", *sorted((folder / problem.id).glob("*.py"))]
        found += [f.read_text(encoding="utf-8") for f in files if f.is_file()]
    return tuple(found)


def calibrate(
    problems: Sequence[Problem],
    backend: SandboxBackend,
    factor: float = 3.0,
    floor_s: float = 1.0,
    runs: int = 3,
    references: Path | None = None,
    builtin: bool = False,
) -> Calibration:
    """Judge every reference `runs` times on every test (concurrently) and derive the limits."""
    jobs = []
    for problem in problems:
        probe = replace(problem, time_limit_s=max(PROBE_FLOOR_S, PROBE_FACTOR * problem.time_limit_s))
        for number, code in enumerate(references_for(problem, references, builtin)):
            jobs += [(probe, number, code)] * runs
    options = JudgeOptions(all_tests=True, retry_tle=False)
    results = judge_many([(p, code) for p, _, code in jobs], backend, options)
    slowest: dict[str, float] = {}
    bad: dict[str, str] = {}
    for (problem, number, _), result in zip(jobs, results, strict=True):
        if result.verdict != "AC":
            failed = next((t for t in result.tests if t.verdict != "AC"), None)
            where = f" on test {failed.index}" if failed else ""
            bad.setdefault(problem.id, f"reference {number}: {result.verdict}{where} {result.detail}".strip())
        slowest[problem.id] = max(slowest.get(problem.id, 0.0), *(t.time_s for t in result.tests), 0.0)
    measured = {pid: s for pid, s in slowest.items() if pid not in bad}
    return Calibration(
        factor, floor_s, runs,
        limits={pid: round(max(floor_s, factor * s), 3) for pid, s in measured.items()},
        slowest_s={pid: round(s, 4) for pid, s in measured.items()},
        bad=bad,
        without_references=tuple(p.id for p in problems if p.id not in slowest),
    )  # fmt: skip


def load_limits(path: Path) -> dict[str, float]:
    """The per-problem limits of a calibration file; ValueError naming the file if it is not one."""
    try:
        limits = json.loads(path.read_text(encoding="utf-8"))["limits"]
    except (json.JSONDecodeError, KeyError, TypeError) as e:
        raise ValueError(f"{path}: not a limits file written by `harness calibrate` ({e})") from None
    if not isinstance(limits, dict) or not all(isinstance(v, int | float) and v > 0 for v in limits.values()):
        raise ValueError(f"{path}: 'limits' must map problem ids to positive seconds")
    return {str(k): float(v) for k, v in limits.items()}


def apply_limits(problems: Sequence[Problem], limits: dict[str, float]) -> list[Problem]:
    """Problems with their calibrated time limit; those the file does not cover keep their own."""
    return [replace(p, time_limit_s=limits[p.id]) if p.id in limits else p for p in problems]
