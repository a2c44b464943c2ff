"""The judge's wire format, defined once: the job a runner reads on stdin and the events it writes
on stdout, one JSON line each. Standard library only: the runner carries this file into the
sandbox with itself, and the harness imports the same file.

A job travels in two parts: its length-prefixed header (the job with every expected output blank),
then the expected outputs. The runner's referee reads the header, forks the process that runs the
tests, and only then reads the expected outputs: no test process ever descends from memory that
held them."""

from __future__ import annotations

import json
import os
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
    isolation: str = "submission"
    """Functional tests: "submission" runs them one after another in one process (a fresh
    `Solution()` each, as LeetCode does; a failure ends it), "test" gives each its own process.
    stdin tests always get a process each."""

    def encode(self) -> bytes:
        blank = self._replace(tests=[t._replace(output="") for t in self.tests])
        header = json.dumps(blank._asdict()).encode()
        return b"%d\n" % len(header) + header + json.dumps([t.output for t in self.tests]).encode()

    @classmethod
    def decode(cls, data: bytes) -> JudgeJob:
        size, rest = data.split(b"\n", 1)
        job = cls.decode_header(rest[: int(size)])
        expected = json.loads(rest[int(size) :])
        return job._replace(tests=[t._replace(output=o) for t, o in zip(job.tests, expected, strict=True)])

    @classmethod
    def decode_header(cls, header: bytes) -> JudgeJob:
        raw = json.loads(header)
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


def read_header(fd: int) -> JudgeJob:
    """The job's first part from `fd`, read unbuffered: nothing past it is read ahead."""
    size = b""
    while not size.endswith(b"\n"):
        byte = os.read(fd, 1)
        if not byte:
            raise ValueError("the job ended before its header")
        size += byte
    return JudgeJob.decode_header(read_exactly(fd, int(size)))


def read_exactly(fd: int, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise ValueError(f"the job ended {left} bytes early")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
