"""Verdicts, outcomes and the typed result the judge returns to every caller."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum


class Verdict(StrEnum):
    AC = "AC"  # accepted
    WA = "WA"  # wrong answer
    TLE = "TLE"  # CPU or wall time limit exceeded
    MLE = "MLE"  # memory limit exceeded (MemoryError or killed at the limit)
    RE = "RE"  # runtime error: non-zero exit, uncaught exception, signal
    OLE = "OLE"  # output limit exceeded
    CE = "CE"  # no code, or code that does not compile
    IE = "IE"  # the judge's own failure: never charged to the model


class Outcome(StrEnum):
    SOLVED = "solved"
    CORRECTNESS_FAILURE = "correctness_failure"
    OPTIMIZATION_FAILURE = "optimization_failure"
    INFRA_ERROR = "infra_error"


OUTCOME_OF = {
    Verdict.AC: Outcome.SOLVED,
    Verdict.WA: Outcome.CORRECTNESS_FAILURE,
    Verdict.RE: Outcome.CORRECTNESS_FAILURE,
    Verdict.OLE: Outcome.CORRECTNESS_FAILURE,
    Verdict.CE: Outcome.CORRECTNESS_FAILURE,
    Verdict.TLE: Outcome.OPTIMIZATION_FAILURE,
    Verdict.MLE: Outcome.OPTIMIZATION_FAILURE,
    Verdict.IE: Outcome.INFRA_ERROR,
}


@dataclass(frozen=True)
class TestResult:
    index: int
    level: int
    input_bytes: int
    verdict: Verdict
    time_s: float
    memory_mb: float
    detail: str = ""


@dataclass(frozen=True)
class JudgeResult:
    problem: str
    verdict: Verdict
    outcome: Outcome
    coverage: int
    levels: int
    passed: int
    total: int
    tests: tuple[TestResult, ...]
    time_s: float
    """Largest CPU time of any test that ran."""
    memory_mb: float
    """Largest peak memory of any test that ran."""
    detail: str = ""
    """Why, in one line, when the verdict is not AC: the first failing test's message, or the CE/IE reason."""

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> JudgeResult:
        tests = tuple(TestResult(**{**t, "verdict": Verdict(t["verdict"])}) for t in data.get("tests", ()))
        return cls(
            **{
                **data,
                "verdict": Verdict(data["verdict"]),
                "outcome": Outcome(data["outcome"]),
                "tests": tests,
            }
        )

    @classmethod
    def without_tests(
        cls, problem: str, verdict: Verdict, levels: int, total: int, detail: str
    ) -> JudgeResult:
        """A result decided before any test ran (CE, IE)."""
        return cls(problem, verdict, OUTCOME_OF[verdict], 0, levels, 0, total, (), 0.0, 0.0, detail)
