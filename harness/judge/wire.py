"""The judge's wire format, defined once: the job a runner reads on stdin and the events it writes
on stdout, one JSON line each. Standard library only: the runner carries this file into the
sandbox with itself, and the harness imports the same file."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

WALL_FACTOR = 2.5
"""A test's wall-clock limit as a multiple of its CPU limit: it catches submissions that sleep."""
RUNNER_SLACK_S = 30.0


@dataclass(slots=True)
class TestCase:
    __test__ = False  # not a pytest test class

    index: int
    input: str
    output: str
    """Mutable on purpose: a test process blanks every expected output before the submission runs."""


@dataclass
class JudgeJob:
    code: str
    test_type: str
    """"stdin" or "functional"."""
    func_name: str | None
    checker: str
    time_limit_s: float
    memory_limit_mb: int
    output_limit_bytes: int
    tests: list[TestCase]
    checker_args: dict = field(default_factory=dict)
    stop_on_failure: bool = True
    retry_tle: bool = True
    """Run a test that exceeded a time limit once more: TLE stands only if it happens twice."""
    test_uid: int | None = None
    """When the runner runs as root, tests run under this uid, and every process of it is killed after
    them; otherwise tests share the runner's uid and nothing is swept."""
    nproc: int = 64
    """Process limit of the tests' uid, when they have one."""

    def encode(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def decode(cls, text: str | bytes) -> JudgeJob:
        raw = json.loads(text)
        raw["tests"] = [TestCase(**t) for t in raw["tests"]]
        return cls(**raw)

    def runner_timeout(self) -> float:
        """How long the runner may take in all: every test twice (TLEs are retried) at its wall limit."""
        return 2 * len(self.tests) * (self.time_limit_s * WALL_FACTOR + 1.0) + RUNNER_SLACK_S


@dataclass(frozen=True)
class TestReport:
    __test__ = False

    index: int
    verdict: str
    time_s: float
    memory_mb: float
    detail: str = ""


@dataclass(frozen=True)
class CompileError:
    message: str


@dataclass(frozen=True)
class InternalError:
    message: str


@dataclass(frozen=True)
class Done:
    pass


Event = TestReport | CompileError | InternalError | Done
_KINDS: dict[str, type] = {"test": TestReport, "compile_error": CompileError, "internal_error": InternalError,
                           "done": Done}  # fmt: skip
_KIND_OF = {cls: kind for kind, cls in _KINDS.items()}


def encode_event(event: Event) -> str:
    return json.dumps({"kind": _KIND_OF[type(event)], **asdict(event)})


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
