"""The judge's wire format, defined once: the job a runner reads on stdin and the events it writes
on stdout, one JSON line each. Standard library only: the runner carries this file into the
sandbox with itself, and the harness imports the same file."""

from __future__ import annotations

import json
from typing import NamedTuple

# Records are NamedTuples, not dataclasses: the runner pays for every import in every submission,
# and dataclasses would bring in inspect (about 20 ms), where typing is loaded anyway.

WALL_FACTOR = 2.5
"""A test's wall-clock limit as a multiple of its CPU limit: it catches submissions that sleep."""
RUNNER_SLACK_S = 30.0


class TestCase(NamedTuple):
    index: int
    input: str
    output: str


class JudgeJob(NamedTuple):
    code: str
    test_type: str
    """"stdin" or "functional"."""
    func_name: str | None
    checker: str
    checker_args: dict
    time_limit_s: float
    memory_limit_mb: int
    output_limit_bytes: int
    tests: list[TestCase]
    stop_on_failure: bool = True
    retry_tle: bool = True
    """Run a test that exceeded a time limit once more: TLE stands only if it happens twice."""
    test_uid: int | None = None
    """When the runner runs as root, tests run under this uid, and every process of it is killed after
    them; otherwise tests share the runner's uid and nothing is swept."""
    nproc: int = 64
    """Process limit of the tests' uid, when they have one."""

    def encode(self) -> str:
        return json.dumps(self._asdict())

    @classmethod
    def decode(cls, text: str | bytes) -> JudgeJob:
        raw = json.loads(text)
        raw["tests"] = [TestCase(*t) for t in raw["tests"]]
        return cls(**raw)

    def runner_timeout(self) -> float:
        """How long the runner may take in all: every test twice (TLEs are retried) at its wall limit."""
        return 2 * len(self.tests) * (self.time_limit_s * WALL_FACTOR + 1.0) + RUNNER_SLACK_S


class TestReport(NamedTuple):
    index: int
    verdict: str
    time_s: float
    memory_mb: float
    detail: str = ""


class CompileError(NamedTuple):
    message: str


class InternalError(NamedTuple):
    message: str


class Done(NamedTuple):
    pass


Event = TestReport | CompileError | InternalError | Done
_KINDS: dict[str, type] = {"test": TestReport, "compile_error": CompileError, "internal_error": InternalError,
                           "done": Done}  # fmt: skip
_KIND_OF = {cls: kind for kind, cls in _KINDS.items()}


def encode_event(event: Event) -> str:
    return json.dumps({"kind": _KIND_OF[type(event)], **event._asdict()})


def decode_events(stdout: str) -> list[Event]:
    """The runner's events, in order. Raises ValueError on a line that is not one."""
    events: list[Event] = []
    for number, line in enumerate(stdout.splitlines(), 1):
        try:
            raw = json.loads(line)
            events.append(_KINDS[raw.pop("kind")](**raw))
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            raise ValueError(f"runner output line {number} is not an event: {line[:100]!r}") from e
    return events
