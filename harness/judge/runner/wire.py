"""The judge's wire format, defined once: the job a runner reads on stdin and the events it writes
on stdout, one JSON line each. Standard library only: the runner carries this file into the
sandbox with itself, and the harness imports the same file.

A job travels in three parts: its header (the job with every input and expected output blank, and
the inputs' sizes), the inputs back to back as raw bytes, then the expected outputs. The runner's
referee reads the header and the inputs, forks the process that runs the tests, and only then reads
the expected outputs: no test process ever descends from memory that held them. The inputs are
read straight into one private anonymous mapping (no JSON to decode, no string per test), which
test processes are not given at all (the runner feeds each its input), or, where a functional test
process reads its own input from it, unmap in one call before the submission runs."""

from __future__ import annotations

import itertools
import json
import mmap
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
    """"submission" runs the tests one after another in one worker process (a fresh `Solution()`
    each, as LeetCode does; a stdin program run afresh as `__main__`, as LiveCodeBench's grader
    does; a failure ends it), "test" gives each its own process (as Codeforces does)."""

    def encode(self, prefix: bytes = b"") -> bytes:
        """The job on the wire, after `prefix`, built in one join: each copy of a job of megabytes
        costs a page fault per 4 KB of fresh memory (a copy per part cost ~40 us per test)."""
        inputs = [t.input.encode() for t in self.tests]
        blank = self._replace(tests=[t._replace(input="", output="") for t in self.tests])
        header = json.dumps([blank._asdict(), [len(data) for data in inputs]]).encode()
        sizes = b"%d %d\n" % (len(header), sum(map(len, inputs)))
        expected = json.dumps([t.output for t in self.tests]).encode()
        return b"".join([prefix, sizes, header, *inputs, expected])

    @classmethod
    def decode(cls, data: bytes) -> JudgeJob:
        sizes, rest = data.split(b"\n", 1)
        header_size, blob_size = map(int, sizes.split())
        job, input_sizes = _job_of(rest[:header_size])
        blob, expected = (
            rest[header_size : header_size + blob_size],
            json.loads(rest[header_size + blob_size :]),
        )
        starts = list(itertools.accumulate(input_sizes, initial=0))
        tests = [TestCase(t.index, blob[starts[i] : starts[i + 1]].decode(), expected[i])
                 for i, t in enumerate(job.tests)]  # fmt: skip
        return job._replace(tests=tests)

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


def _job_of(header: bytes) -> tuple[JudgeJob, list[int]]:
    raw, input_sizes = json.loads(header)
    raw["tests"] = [TestCase(*t) for t in raw["tests"]]
    return JudgeJob(**raw), input_sizes


class Inputs:
    """Every test's input in one private anonymous mapping: a test process drops all of them with
    one munmap, or never gets them (freeing a string per test would copy-on-write a page or more
    for each)."""

    def __init__(self, sizes: list[int], fd: int) -> None:
        self.offsets = list(itertools.accumulate(sizes, initial=0))
        total = self.offsets[-1]
        self.map = mmap.mmap(-1, max(1, total), flags=mmap.MAP_PRIVATE)
        view, done = memoryview(self.map), 0
        while done < total:
            got = os.readv(fd, [view[done:total]])
            if not got:
                raise ValueError(f"the job ended {total - done} bytes before the end of its inputs")
            done += got
        view.release()
        self.forked = True
        """Whether processes forked from here get the mapping (and must unmap it)."""

    def keep_from_children(self) -> None:
        """Processes forked from here on get no copy of the mapping at all: no page tables to copy at
        the fork, nothing to unmap before the submission runs."""
        self.map.madvise(mmap.MADV_DONTFORK)
        self.forked = False

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def data(self, i: int) -> bytes:
        return self.map[self.offsets[i] : self.offsets[i + 1]]

    def text(self, i: int) -> str:
        return self.data(i).decode()

    def close(self) -> None:
        self.map.close()

    def drop(self) -> None:
        """In a forked test process: the inputs are gone (the mapping is not touched where the process
        never got it: something else may be mapped at its address now)."""
        if self.forked:
            self.map.close()


def read_header(fd: int) -> tuple[JudgeJob, Inputs]:
    """The job's header and inputs from `fd`, read unbuffered: the expected outputs after them are
    not read ahead."""
    sizes = b""
    while not sizes.endswith(b"\n"):
        byte = os.read(fd, 1)
        if not byte:
            raise ValueError("the job ended before its header")
        sizes += byte
    job, input_sizes = _job_of(read_exactly(fd, int(sizes.split()[0])))
    return job, Inputs(input_sizes, fd)


def read_exactly(fd: int, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise ValueError(f"the job ended {left} bytes early")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
