"""The runner's side of one test process: feed its stdin, collect its outputs, watch its limits,
and name the verdict of how it ended. Standard library only (it travels with the runner)."""

from __future__ import annotations

import os
import selectors
import signal
import time

MEMORY_ERROR_EXIT = 113
"""The exit status a test process uses for MemoryError."""
STDERR_KEEP = 2000
CHUNK = 1 << 16
# Time spent waiting for a CPU does not count against the wall limit (WALL_FACTOR × the CPU
# limit), so a loaded machine does not turn AC into TLE.
STARVED_WALL_FACTOR = 20
"""A backstop: past this multiple of the wall limit a test stops, however starved it was."""


def runqueue_wait(pid: int) -> float:
    """Seconds the process has spent runnable but waiting for a CPU (0 where the kernel does not say)."""
    try:
        with open(f"/proc/{pid}/schedstat") as f:
            return int(f.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


class LimitWatch:
    """When to look at a test's CPU and wall-clock time next, and whether a limit is reached."""

    def __init__(self, job) -> None:
        self.job = job
        self.next_cpu, self.next_wall = job.cpu, job.wall

    def timeout(self, elapsed: float) -> float:
        return max(0.0, min(self.next_cpu, self.next_wall) - elapsed)

    def reached(self, pid: int, elapsed: float) -> str | None:
        """ "cpu", "wall" or None."""
        job = self.job
        if elapsed >= self.next_wall:
            # Time spent waiting for a CPU is the machine's load, not the submission's sleeping.
            awake = elapsed - runqueue_wait(pid)
            if awake >= job.wall or elapsed >= job.wall * STARVED_WALL_FACTOR:
                return "wall"
            self.next_wall = elapsed + max(0.01, job.wall - awake)
        if elapsed >= self.next_cpu:
            used = job.group.cpu_seconds()  # every process of the test: a fork bomb's too
            if used >= job.cpu:
                return "cpu"
            self.next_cpu = elapsed + max(0.01, job.cpu - used)
        return None


def supervise(pid: int, data: bytes, fds: dict[str, int], job, started: float):
    """Feed stdin, drain the outputs, and kill the child at a CPU, wall or output limit."""
    sel = selectors.DefaultSelector()
    names = {fds[n]: n for n in ("stdout", "stderr", "result", "ready")}
    outputs = {n: bytearray() for n in names.values()}
    for fd in names:
        sel.register(fd, selectors.EVENT_READ)
    stdin = StdinFeed(fds["stdin"], data, sel)
    pidfd = os.pidfd_open(pid)
    sel.register(pidfd, selectors.EVENT_READ)
    watch, reason = LimitWatch(job), None
    while reason is None:
        exited = False
        for key, _ in sel.select(watch.timeout(time.monotonic() - started)):
            if key.fd == pidfd:
                exited = True
            elif key.fd == stdin.fd:
                stdin.write()
            elif not drain(key.fd, names, outputs):
                sel.unregister(key.fd)
        if len(outputs["stdout"]) > job.output or len(outputs["result"]) > job.output:
            reason = "OLE"
        elif exited:
            break
        reason = reason or watch.reached(pid, time.monotonic() - started)
    if reason is not None:
        os.kill(pid, signal.SIGKILL)
    else:
        drain_rest(names, outputs, job.output)
        if len(outputs["stdout"]) > job.output:
            reason = "OLE"
    stdin.close()
    sel.close()
    for fd in (pidfd, *names):
        os.close(fd)
    return {n: bytes(b) for n, b in outputs.items()}, reason


class StdinFeed:
    """Writes a test's input to the child's stdin as the pipe accepts it, then closes it."""

    def __init__(self, fd: int, data: bytes, sel: selectors.BaseSelector) -> None:
        self.fd, self.view, self.offset, self.sel = fd, memoryview(data), 0, sel
        os.set_blocking(fd, False)
        if data:
            sel.register(fd, selectors.EVENT_WRITE)
        else:
            self.close()

    def write(self) -> None:
        try:
            self.offset += os.write(self.fd, self.view[self.offset : self.offset + CHUNK])
        except BlockingIOError:
            return
        except BrokenPipeError:
            self.offset = len(self.view)
        if self.offset >= len(self.view):
            self.sel.unregister(self.fd)
            self.close()

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


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
        return "RE", f"killed by signal {signal.Signals(sig).name}"
    code = os.WEXITSTATUS(status)
    if code == MEMORY_ERROR_EXIT:
        return "MLE", f"memory limit of {job.memory >> 20} MB exceeded (MemoryError)"
    if code != 0:
        lines = outputs["stderr"].decode(errors="replace").strip().splitlines()
        return "RE", lines[-1][:300] if lines else f"exit status {code}"
    return None, ""
