"""The runner's side of one test process: feed its stdin, collect its outputs, watch its limits,
and name the verdict of how it ended. Standard library only (it travels with the runner)."""

from __future__ import annotations

import os
import selectors
import signal
import time

MEMORY_ERROR_EXIT = 113
"""The exit status a test process uses for MemoryError."""
RETIRED_EXIT = 114
"""The exit status of a worker that ends itself between tests (threads of its last test still run)."""
STDERR_KEEP = 2000
CHUNK = 1 << 16
# Time spent waiting for a CPU does not count against the wall limit (WALL_FACTOR × the CPU
# limit), so a loaded machine does not turn AC into TLE.
STARVED_WALL_FACTOR = 20
"""A backstop: past this multiple of the wall limit a test stops, however starved it was."""


class LimitWatch:
    """When to look at a test's CPU and wall-clock time next, and whether a limit is reached."""

    def __init__(self, job, ch: Channels) -> None:
        self.job, self.ch = job, ch
        self.next_cpu, self.next_wall = job.cpu, job.wall
        # A worker process has waited in earlier tests too; a process just forked has not.
        self.waited_before = ch.runqueue_wait() if ch.supervised else 0.0
        ch.supervised = True

    def timeout(self, elapsed: float) -> float:
        return max(0.0, min(self.next_cpu, self.next_wall) - elapsed)

    def reached(self, elapsed: float) -> str | None:
        """ "cpu", "wall" or None."""
        job = self.job
        if elapsed >= self.next_wall:
            # Time spent waiting for a CPU is the machine's load, not the submission's sleeping.
            awake = elapsed - (self.ch.runqueue_wait() - self.waited_before)
            if awake >= job.wall or elapsed >= job.wall * STARVED_WALL_FACTOR:
                return "wall"
            self.next_wall = elapsed + max(0.01, job.wall - awake)
        if elapsed >= self.next_cpu:
            used = job.group.cpu_seconds()  # every process of the test: a fork bomb's too
            if used >= job.cpu:
                return "cpu"
            self.next_cpu = elapsed + max(0.01, job.cpu - used)
        return None


READ_ENDS = ("stdout", "stderr", "result", "ready")


class Channels:
    """A test process's pipes and pidfd under one selector; a worker keeps them open across tests."""

    def __init__(self, pid: int, fds: dict[str, int]) -> None:
        self.pid, self.exited = pid, False
        self.unsent = b""
        """Input a worker has not taken yet: it goes first at the next test."""
        self.sel = selectors.DefaultSelector()
        self.names = {fds[n]: n for n in READ_ENDS if n in fds}
        for fd in self.names:
            self.sel.register(fd, selectors.EVENT_READ)
        self.stdin = fds["stdin"]
        os.set_blocking(self.stdin, False)
        self.pidfd = os.pidfd_open(pid)
        self.sel.register(self.pidfd, selectors.EVENT_READ)
        self.supervised, self.schedstat = False, -1
        """Whether a test ran in the process before; its /proc schedstat, opened at the first read."""

    def runqueue_wait(self) -> float:
        """Seconds the process has spent runnable but waiting for a CPU (0 where the kernel does not say)."""
        try:
            if self.schedstat < 0:
                self.schedstat = os.open(f"/proc/{self.pid}/schedstat", os.O_RDONLY | os.O_CLOEXEC)
            return int(os.pread(self.schedstat, 64, 0).split()[1]) / 1e9
        except (OSError, IndexError, ValueError):
            return 0.0

    def close(self) -> None:
        self.sel.close()
        for fd in (self.pidfd, self.stdin, self.schedstat, *self.names):
            if fd >= 0:
                os.close(fd)
        self.stdin = self.schedstat = -1


def supervise(ch: Channels, data: bytes, job, last: bool = True, complete=None, early: bytes = b""):
    """Feed `data` to the process's stdin (closing it after when `last`), drain its outputs, and kill
    it at a CPU, wall or output limit; stop when it exits or `complete(outputs)` holds (`early`: what
    arrived on the result pipe before this call)."""
    outputs = {n: bytearray() for n in READ_ENDS}
    outputs["result"] += early
    stdin = StdinFeed(ch, ch.unsent + data, last)
    watch, reason, started = LimitWatch(job, ch), None, time.monotonic()
    while reason is None and not (complete is not None and complete(outputs)):
        for key, _ in ch.sel.select(watch.timeout(time.monotonic() - started)):
            if key.fd == ch.pidfd:
                ch.exited = True
            elif key.fd == ch.stdin:
                stdin.write()
            elif not drain(key.fd, ch.names, outputs):
                ch.sel.unregister(key.fd)
        if len(outputs["stdout"]) > job.output or len(outputs["result"]) > job.output:
            reason = "OLE"
        elif ch.exited or (complete is not None and complete(outputs)):
            break
        reason = reason or watch.reached(time.monotonic() - started)
    ch.unsent = stdin.rest()
    if reason is not None:
        os.kill(ch.pid, signal.SIGKILL)
    elif ch.exited:
        drain_rest(ch.names, outputs, job.output)
        if len(outputs["stdout"]) > job.output:
            reason = "OLE"
    return {n: bytes(b) for n, b in outputs.items()}, reason


class StdinFeed:
    """Writes a test's input to the child's stdin as the pipe accepts it, closing it after if `last`.
    Most inputs fit the pipe at once: the selector watches stdin only for what did not."""

    def __init__(self, ch: Channels, data: bytes, last: bool) -> None:
        self.ch, self.view, self.offset, self.last, self.watched = ch, memoryview(data), 0, last, False
        self.write()
        if self.offset < len(self.view):
            ch.sel.register(ch.stdin, selectors.EVENT_WRITE)
            self.watched = True

    def write(self) -> None:
        if self.offset < len(self.view):
            try:
                self.offset += os.write(self.ch.stdin, self.view[self.offset : self.offset + CHUNK])
            except BlockingIOError:
                return
            except BrokenPipeError:
                self.offset = len(self.view)
        if self.offset >= len(self.view):
            self._unwatch()
            if self.last and self.ch.stdin >= 0:
                os.close(self.ch.stdin)
                self.ch.stdin = -1

    def rest(self) -> bytes:
        """What is still unwritten, no longer watched."""
        self._unwatch()
        return bytes(self.view[self.offset :]) if self.offset < len(self.view) else b""

    def _unwatch(self) -> None:
        if self.watched:
            self.ch.sel.unregister(self.ch.stdin)
            self.watched = False


def drain_rest(names: dict[int, str], outputs: dict[str, bytearray], limit: int) -> None:
    """What the child wrote just before exiting."""
    for fd in names:
        os.set_blocking(fd, False)
        try:
            while drain(fd, names, outputs) and len(outputs[names[fd]]) <= limit:
                pass
        except BlockingIOError:
            pass


def drain(fd: int, names: dict[int, str], outputs: dict[str, bytearray]) -> bool:
    """Read one chunk; False at end of file. Keeps only the tail of stderr."""
    chunk = os.read(fd, CHUNK)
    if not chunk:
        return False
    buf = outputs[names[fd]]
    buf += chunk
    if names[fd] == "stderr" and len(buf) > 4 * STDERR_KEEP:
        del buf[:-STDERR_KEEP]
    return True


def classify(status: int, reason: str | None, cpu: float, job, outputs: dict[str, bytes]):
    """The verdict of a finished or killed child, or (None, "") when its output must be checked."""
    if reason == "OLE":
        return "OLE", f"more than {job.output} bytes of output"
    if reason in ("cpu", "wall") or cpu > job.cpu:
        kind = "wall-clock" if reason == "wall" else "CPU"
        return "TLE", f"{kind} time limit of {job.cpu:g}s exceeded"
    if not outputs["ready"]:
        return "IE", "could not apply the sandbox limits to the test process"
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig == signal.SIGXCPU:
            return "TLE", f"CPU time limit of {job.cpu:g}s exceeded"
        if sig == signal.SIGXFSZ:
            return "OLE", "file size limit exceeded"
        if sig == signal.SIGKILL:  # not ours: the kernel's OOM killer or the container's cgroup
            return "MLE", f"killed at the memory limit of {job.memory >> 20} MB"
        try:
            name = signal.Signals(sig).name
        except ValueError:  # a real-time signal has no name
            name = str(sig)
        return "RE", f"killed by signal {name}"
    code = os.WEXITSTATUS(status)
    if code == MEMORY_ERROR_EXIT:
        return "MLE", f"memory limit of {job.memory >> 20} MB exceeded (MemoryError)"
    if code != 0:
        lines = outputs["stderr"].decode(errors="replace").strip().splitlines()
        return "RE", lines[-1][:300] if lines else f"exit status {code}"
    return None, ""
