"""Running a submission's tests: one process per test (as on Codeforces), or one worker process for
all of them (as LeetCode and LiveCodeBench's grader do), each test with its own CPU, memory and
output accounting; a failure ends the worker and the next test gets a fresh one. Standard library
only (it travels with the runner)."""

from __future__ import annotations

import os
import signal
import stat
import sys
from typing import NamedTuple

from child import child
from supervisor import RETIRED_EXIT, Channels, classify, supervise
from wire import TestReport
from worker import output_file, worker

PIPES = ("stdin", "stdout", "stderr", "result", "ready")
STDIN_PIPES = ("stdin", "stdout", "stderr", "ready")
"""A stdin test answers on its stdout: it has no result pipe."""


class Tested(NamedTuple):
    """One run of one test: its report, final when `answer` is None (the run itself failed), else
    with a blank verdict for the referee to give on `answer`, the output of the test at `position`."""

    report: TestReport
    position: int
    answer: bytes | None


def spawn(job, workdir: str, names: tuple[str, ...], target, *args) -> tuple[int, dict[str, int]]:
    """Fork a test process running `target(job, *args, pipes, workdir)` with the pipes `names`: its pid
    and our pipe ends."""
    ends = {name: os.pipe() for name in names}
    theirs = {n: ends[n][0] if n == "stdin" else ends[n][1] for n in names}
    ours = {n: ends[n][1] if n == "stdin" else ends[n][0] for n in names}
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        for fd in ours.values():
            os.close(fd)
        target(job, *args, theirs, workdir)
    for fd in theirs.values():
        os.close(fd)
    return pid, ours


def empty(directory: str) -> None:
    """Leave a directory a test could write empty (the private temp dir, for the next test)."""
    for name in os.listdir(directory):
        remove(os.path.join(directory, name))


def remove(path: str) -> None:
    """Remove what a test may have put at `path`: a link is removed, never followed."""
    if os.path.isdir(path) and not os.path.islink(path):
        import shutil  # only here: the runner's start-up pays for no import it rarely needs

        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass


class PerTest:
    """A fresh process for every test."""

    def __init__(self, job, workdir: str) -> None:
        self.job, self.workdir = job, workdir

    def run(self, i: int) -> Tested:
        job = self.job
        pid, fds = spawn(job, self.workdir, PIPES if job.functional else STDIN_PIPES, child, i)
        job.group.start(pid)
        channels = Channels(pid, fds)
        outputs, reason = supervise(channels, job.inputs.data(i), job)
        channels.close()
        _, status, usage = os.wait4(pid, 0)
        cpu = max(usage.ru_utime + usage.ru_stime, job.group.cpu_seconds())
        verdict, detail = classify(status, reason, cpu, job, outputs)
        answer = outputs["result" if job.functional else "stdout"] if verdict is None else None
        # A process the test left behind (a daemon that left its process group) dies with the test.
        if not job.group.kill(thorough=verdict is not None or job.group.strays(keep=0)):
            verdict, detail, answer = "IE", "the test's processes could not be killed", None
        empty(self.workdir)
        report = TestReport(
            job.indices[i], verdict or "", round(cpu, 4), round(usage.ru_maxrss / 1024, 2), detail
        )
        return Tested(report, i, answer)

    def close(self) -> None:
        pass


def answer_of(result: bytes) -> tuple[bytes, bytes] | None:
    """The worker's first `<length>\\n<JSON>` answer and what follows it, once all of it has arrived
    (a line a program wrote on the pipe itself, no length, is an empty answer)."""
    head, newline, rest = result.partition(b"\n")
    size = int(head) if head.isdigit() else 0
    if not newline or len(rest) < size:
        return None
    return rest[:size], rest[size:]


def ended_unasked(status: int) -> bool:
    """A worker that ended without answering, cleanly or ending itself (RETIRED_EXIT), may have ended
    before its test began: a test can make it end so after answering (the next test then runs in a
    fresh one). Any other ending is the test's own."""
    return os.waitstatus_to_exitcode(status) in (0, RETIRED_EXIT)


class PerSubmission:
    """One worker process for a submission's tests, replaced after any failure. The next test's input
    is queued while a test runs, so the worker never waits for the runner between tests."""

    def __init__(self, job, workdir: str) -> None:
        self.job, self.workdir = job, workdir
        self.pid, self.channels, self.ready = 0, None, False
        self.memory: PeakMemory | None = None
        self.queued, self.early = -1, b""
        """The test whose input the worker already has, and what it answered before we asked."""
        self.retired_cpu = 0.0
        """CPU a worker spent before it ended unasked: the test that runs again afresh is billed it."""

    def run(self, i: int) -> Tested:
        # None: the worker ended unasked, maybe before this test began; it runs again in a fresh one
        return self.attempt(i, first=True) or self.attempt(i, first=False)

    def attempt(self, i: int, first: bool) -> Tested | None:
        job = self.job
        if self.channels is None:
            self.pid, fds = spawn(job, self.workdir, PIPES, worker)
            self.channels, self.ready = Channels(self.pid, fds), False
            self.memory = PeakMemory(self.pid)
            job.group.start(self.pid, fresh=False)
        else:  # CPU and peak memory were restarted where the last test's were read
            job.group.carry_on()
        data = self.request(i) if self.queued != i else b""
        if i + 1 < len(job.indices):
            data += self.request(i + 1)
            self.queued = i + 1
        outputs, reason = supervise(self.channels, data, job, last=False, early=self.early,
                                    complete=lambda out: answer_of(bytes(out["result"])) is not None)  # fmt: skip
        self.ready = self.ready or bool(outputs["ready"])
        outputs["ready"] = b"1" if self.ready else b""
        cpu, memory = job.group.cpu_seconds() + self.retired_cpu, self.memory.peak_mb()
        self.memory.reset()  # the worker may already be on the next test: its window starts now
        answer, self.early = answer_of(outputs["result"]) or (None, b"")
        answered, self.retired_cpu = answer is not None, 0.0
        if not job.functional:
            answer, reason = self.stdout_of(i, answer, reason)
        if reason is None and answered:
            verdict, detail = classify(0, "cpu" if cpu > job.cpu else None, cpu, job, outputs)
            # The worker ended in the next test, or the test left a process behind (a daemon): it
            # dies with the worker, and the next test starts in a fresh one.
            if self.channels.exited or job.group.strays(keep=self.pid):
                self.stop()
                if not job.group.kill(thorough=True):
                    verdict, detail = "IE", "the test's processes could not be killed"
        else:
            status, rusage_memory = self.stop()
            if first and not answered and reason is None and ended_unasked(status):
                self.retired_cpu = cpu
                return None
            memory = max(memory, rusage_memory)
            verdict, detail = classify(status, reason, cpu, job, outputs)
        if verdict is not None:  # a wrong answer leaves the worker sound; a failure of its own ends it
            answer = None
            self.stop()
            if not job.group.kill(thorough=True):
                verdict, detail = "IE", "the test's processes could not be killed"
            empty(self.workdir)
        report = TestReport(job.indices[i], verdict or "", round(cpu, 4), round(memory, 2), detail)
        return Tested(report, i, (answer or b"") if verdict is None else None)

    def request(self, i: int) -> bytes:
        """Test `i` for the worker: `<length> <position>\n<input>`."""
        data = self.job.inputs.data(i)
        return b"%d %d\n" % (len(data), i) + data

    def stdout_of(self, i: int, answer: bytes | None, reason: str | None) -> tuple[bytes | None, str | None]:
        """A stdin test's output, from its file: what it wrote before it answered, or before its
        process ended; "OLE" where that is over the limit. The file is removed."""
        path = output_file(self.job, i)
        try:  # the program's own file: it may have made it a link, a pipe or a directory
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:  # it removed it, or ended before its test began
            return answer, reason
        try:
            if reason is not None or not stat.S_ISREG(os.fstat(fd).st_mode):
                return answer, reason
            if os.fstat(fd).st_size > self.job.output:
                return None, "OLE"
            return os.read(fd, self.job.output + 1), None
        finally:
            os.close(fd)
            remove(path)

    def stop(self) -> tuple[int, float]:
        """End the worker: its wait status and peak memory (MB)."""
        if self.channels is None:
            return 0, 0.0
        if not self.channels.exited:
            os.kill(self.pid, signal.SIGKILL)
        self.channels.close()
        self.memory.close()
        self.channels, self.queued, self.early = None, -1, b""
        _, status, usage = os.wait4(self.pid, 0)
        return status, usage.ru_maxrss / 1024

    def close(self) -> None:
        self.stop()


class PeakMemory:
    """A worker's peak resident size (VmHWM), restarted for each test: its /proc files are opened
    once and read again from the start, not opened for every test."""

    def __init__(self, pid: int) -> None:
        self.status = os.open(f"/proc/{pid}/status", os.O_RDONLY | os.O_CLOEXEC)
        try:
            self.clear_refs = os.open(f"/proc/{pid}/clear_refs", os.O_WRONLY | os.O_CLOEXEC)
        except OSError:  # not ours to reset (a runner that is not root): the peak is then the worker's
            self.clear_refs = -1

    def reset(self) -> None:
        if self.clear_refs >= 0:
            try:
                os.write(self.clear_refs, b"5")
            except OSError:
                pass

    def peak_mb(self) -> float:
        try:
            status = os.pread(self.status, 4096, 0)
        except OSError:  # the worker is gone
            return 0.0
        start = status.find(b"VmHWM:")
        return int(status[start + 6 : status.index(b"kB", start)]) / 1024 if start >= 0 else 0.0

    def close(self) -> None:
        for fd in (self.status, self.clear_refs):
            if fd >= 0:
                os.close(fd)


def test_runner(job, workdir: str) -> PerTest | PerSubmission:
    return PerSubmission(job, workdir) if job.isolation == "submission" else PerTest(job, workdir)
