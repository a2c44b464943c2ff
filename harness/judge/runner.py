"""Runs one submission against its tests inside a sandbox. Standard library only.

Protocol (wire.py): a JudgeJob as JSON on stdin; one event line per test on stdout, then Done.

The runner compiles the submission and imports the usual modules once, then forks a fresh child
per test: every test is a real process with its own stdin/stdout pipes, resource limits, private
temp dir and process group, and costs a fork instead of an interpreter start-up.
"""

from __future__ import annotations

import ctypes
import functools
import gc
import json
import os
import resource
import selectors
import shutil
import signal
import socket
import sys
import tempfile
import time
import traceback

from checkers import CHECKERS
from wire import WALL_FACTOR, CompileError, Done, InternalError, JudgeJob, TestReport, encode_event

MEMORY_ERROR_EXIT = 113
STDERR_KEEP = 2000
CHUNK = 1 << 16
CLONE_NEWUSER, CLONE_NEWNET = 0x10000000, 0x40000000
PR_SET_CHILD_SUBREAPER = 36
PR_SET_DUMPABLE = 4
# Time spent waiting for a CPU does not count against the wall limit (WALL_FACTOR × the CPU
# limit), so a loaded machine does not turn AC into TLE.
STARVED_WALL_FACTOR = 20
"""A backstop: past this multiple of the wall limit a test stops, however starved it was."""

# What LiveCodeBench's grader puts in front of functional submissions, plus LeetCode's sortedcontainers.
PRELUDE = """
from string import *
from re import *
from datetime import *
from collections import *
from heapq import *
from bisect import *
from copy import *
from math import *
from random import *
from statistics import *
from itertools import *
from functools import *
from operator import *
from io import *
from sys import *
from json import *
from builtins import *
from typing import *
import string, re, datetime, collections, heapq, bisect, copy, math, random, statistics
import itertools, functools, operator, io, sys, json
try:
    from sortedcontainers import SortedList, SortedDict, SortedSet
except ImportError:
    pass
sys.setrecursionlimit(50000)
"""


class Job:
    """A JudgeJob made ready to run: the code compiled, the checker bound, the limits in units."""

    def __init__(self, spec: JudgeJob) -> None:
        self.code = compile(spec.code, "solution.py", "exec")
        self.functional = spec.test_type == "functional"
        self.func_name = spec.func_name
        self.checker = functools.partial(CHECKERS[spec.checker], **spec.checker_args)
        self.stop_on_failure = spec.stop_on_failure
        self.retry_tle = spec.retry_tle
        self.cpu = float(spec.time_limit_s)
        self.wall = self.cpu * WALL_FACTOR + 0.2
        self.memory = int(spec.memory_limit_mb) << 20
        self.output = int(spec.output_limit_bytes)
        # Only root can move tests to a uid of their own; only then is every process of it theirs.
        self.uid = spec.test_uid if os.geteuid() == 0 else None
        self.nproc = spec.nproc
        self.indices = [t.index for t in spec.tests]
        self.inputs = [t.input for t in spec.tests]
        self.expected = [t.output for t in spec.tests]
        """Held apart from the inputs so that a test process can drop every one of them at once."""
        self.prelude: dict = {}
        self.address_base = 0

    def prepare(self) -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1)  # orphans of a test come back to us to be reaped
        # Not dumpable: a test running under our own uid (non-root local) cannot write into our
        # stdout through /proc/<pid>/fd to forge verdicts (tests inherit the flag, harmlessly).
        libc.prctl(PR_SET_DUMPABLE, 0)
        if not network_is_cut():
            isolate_network()
        self.prelude = {"__name__": "__main__", "__builtins__": __builtins__}
        exec(PRELUDE, self.prelude)  # imports happen once here, not in every test process
        os.environ.clear()
        gc.freeze()  # children then do not copy-on-write pages just to scan these objects
        with open("/proc/self/statm") as f:
            self.address_base = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def network_is_cut() -> bool:
    """True where loopback is the only interface (a container without a network)."""
    return all(name == "lo" for _, name in socket.if_nameindex())


def isolate_network() -> None:
    """Enter an empty network namespace: no interfaces, so every connection fails."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNET) != 0 and libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNET) failed: cannot cut the network")


def cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def runqueue_wait(pid: int) -> float:
    """Seconds the process has spent runnable but waiting for a CPU (0 where the kernel does not say)."""
    try:
        with open(f"/proc/{pid}/schedstat") as f:
            return int(f.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


def child(job: Job, input_text: str, pipes: dict[str, int], workdir: str) -> None:
    """In the forked process: apply the limits, wire the pipes, run the submission. Never returns."""
    try:
        os.setpgid(0, 0)
        job.expected.clear()  # expected outputs must not be reachable from the submission
        job.inputs.clear()
        os.chdir(workdir)
        os.environ.update(
            HOME=workdir,
            TMPDIR=workdir,
            PATH="/usr/bin:/bin",
            LANG="C.UTF-8",
            OMP_NUM_THREADS="1",
            OPENBLAS_NUM_THREADS="1",
        )
        hard_cpu = int(job.cpu) + 2  # a backstop: the parent enforces the precise limit
        resource.setrlimit(resource.RLIMIT_CPU, (hard_cpu, hard_cpu))
        resource.setrlimit(resource.RLIMIT_AS, (job.address_base + job.memory,) * 2)
        resource.setrlimit(resource.RLIMIT_STACK, (job.memory, job.memory))
        resource.setrlimit(resource.RLIMIT_FSIZE, (job.output, job.output))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if job.uid is not None:
            resource.setrlimit(resource.RLIMIT_NPROC, (job.nproc, job.nproc))
            os.setgroups([])
            os.setgid(job.uid)
            os.setuid(job.uid)
        for target, name in ((0, "stdin"), (1, "stdout"), (2, "stderr")):
            os.dup2(pipes[name], target)
            os.close(pipes[name])
        os.write(pipes["ready"], b"1")
        os.close(pipes["ready"])
    except BaseException:
        os._exit(1)
    status = 0
    try:
        if job.functional:
            namespace = job.prelude  # this process is thrown away: no copy (a copy touches every object)
            exec(job.code, namespace)
            args = [json.loads(line) for line in input_text.split("\n") if line.strip()]
            result = getattr(namespace["Solution"](), job.func_name)(*args)
            with os.fdopen(pipes["result"], "w") as f:
                json.dump(result, f, default=list)
        else:
            exec(job.code, {"__name__": "__main__", "__builtins__": __builtins__})
        sys.stdout.flush()
    except SystemExit as e:
        status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except MemoryError:
        status = MEMORY_ERROR_EXIT
    except BaseException:
        try:
            traceback.print_exc()
        except BaseException:
            pass
        status = 1
    try:
        sys.stdout.flush()
    except BaseException:
        status = status or 1
    os._exit(status)


def run_test(job: Job, i: int, workdir: str) -> TestReport:
    ends = {name: os.pipe() for name in ("stdin", "stdout", "stderr", "result", "ready")}
    child_ends = {
        "stdin": ends["stdin"][0],
        "stdout": ends["stdout"][1],
        "stderr": ends["stderr"][1],
        "result": ends["result"][1],
        "ready": ends["ready"][1],
    }
    parent_ends = {
        "stdin": ends["stdin"][1],
        "stdout": ends["stdout"][0],
        "stderr": ends["stderr"][0],
        "result": ends["result"][0],
        "ready": ends["ready"][0],
    }
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        for fd in parent_ends.values():
            os.close(fd)
        child(job, job.inputs[i], child_ends, workdir)
    for fd in child_ends.values():
        os.close(fd)
    started = time.monotonic()
    outputs, reason = supervise(pid, job.inputs[i].encode(), parent_ends, job, started)
    _, status, usage = os.wait4(pid, 0)
    cpu = usage.ru_utime + usage.ru_stime
    verdict, detail = classify(status, reason, cpu, job, outputs)
    if verdict is None:
        got = outputs["result" if job.functional else "stdout"].decode(errors="replace")
        try:
            ok = job.checker(got, job.expected[i])
        except Exception as e:  # a checker bug is the judge's failure, never the model's
            verdict, detail = "IE", f"checker failed: {e!r}"
        else:
            verdict, detail = ("AC", "") if ok else ("WA", "output differs from the expected answer")
    kill_everything(pid, job, sweep=verdict != "AC")
    empty(workdir)
    return TestReport(job.indices[i], verdict, round(cpu, 4), round(usage.ru_maxrss / 1024, 2), detail)


def supervise(pid: int, data: bytes, fds: dict[str, int], job: Job, started: float):
    """Feed stdin, drain the outputs, and kill the child at a CPU, wall or output limit."""
    sel = selectors.DefaultSelector()
    names = {fds[n]: n for n in ("stdout", "stderr", "result", "ready")}
    outputs = {n: bytearray() for n in names.values()}
    for fd in names:
        sel.register(fd, selectors.EVENT_READ)
    stdin, stdin_open = fds["stdin"], bool(data)
    os.set_blocking(stdin, False)
    if data:
        sel.register(stdin, selectors.EVENT_WRITE)
    else:
        os.close(stdin)
    pidfd = os.pidfd_open(pid)
    sel.register(pidfd, selectors.EVENT_READ)
    view, offset, reason = memoryview(data), 0, None
    next_cpu_check, next_wall_check = job.cpu, job.wall
    while reason is None:
        timeout = max(0.0, min(next_cpu_check, next_wall_check) - (time.monotonic() - started))
        exited = False
        for key, _ in sel.select(timeout):
            if key.fd == pidfd:
                exited = True
            elif stdin_open and key.fd == stdin:
                try:
                    offset += os.write(stdin, view[offset : offset + CHUNK])
                except BlockingIOError:
                    pass
                except BrokenPipeError:
                    offset = len(data)
                if offset >= len(data):
                    sel.unregister(stdin)
                    os.close(stdin)
                    stdin_open = False
            elif not drain(key.fd, names, outputs, job):
                sel.unregister(key.fd)
        if len(outputs["stdout"]) > job.output or len(outputs["result"]) > job.output:
            reason = "OLE"
        elif exited:
            break
        elapsed = time.monotonic() - started
        if elapsed >= next_wall_check:
            # Time spent waiting for a CPU is the machine's load, not the submission's sleeping.
            awake = elapsed - runqueue_wait(pid)
            if awake >= job.wall or elapsed >= job.wall * STARVED_WALL_FACTOR:
                reason = "wall"
            next_wall_check = elapsed + max(0.01, job.wall - awake)
        if reason is None and elapsed >= next_cpu_check:
            used = cpu_seconds(pid)
            if used >= job.cpu:
                reason = "cpu"
            next_cpu_check = elapsed + max(0.01, job.cpu - used)
    if reason is not None:
        os.kill(pid, signal.SIGKILL)
    else:
        for fd in names:  # what the child wrote just before exiting
            os.set_blocking(fd, False)
            try:
                while drain(fd, names, outputs, job) and len(outputs[names[fd]]) <= job.output:
                    pass
            except BlockingIOError:
                pass
        if len(outputs["stdout"]) > job.output:
            reason = "OLE"
    if stdin_open:
        os.close(stdin)
    sel.close()
    for fd in (pidfd, *names):
        os.close(fd)
    return {n: bytes(b) for n, b in outputs.items()}, reason


def drain(fd: int, names: dict[int, str], outputs: dict[str, bytearray], job: Job) -> bool:
    """Read one chunk; False at end of file. Keeps only the tail of stderr."""
    chunk = os.read(fd, CHUNK)
    if not chunk:
        return False
    buf = outputs[names[fd]]
    buf += chunk
    if names[fd] == "stderr" and len(buf) > 4 * STDERR_KEEP:
        del buf[:-STDERR_KEEP]
    return True


def classify(status: int, reason: str | None, cpu: float, job: Job, outputs: dict[str, bytes]):
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


def empty(workdir: str) -> None:
    """Leave the private temp dir empty for the next test."""
    for name in os.listdir(workdir):
        path = os.path.join(workdir, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.unlink(path)


def kill_everything(pid: int, job: Job, sweep: bool) -> None:
    """Kill the test's process group and, when `sweep`, every process of the test's uid: after a
    failed test, and once at the end (a daemon that escaped a passing test's group dies then)."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if sweep and job.uid is not None:
        kill_uid(job.uid)
    while True:  # reap the test's orphans, re-parented to us as their subreaper
        try:
            if os.waitpid(-1, os.WNOHANG)[0] == 0:
                break
        except ChildProcessError:
            break


def kill_uid(uid: int) -> None:
    """SIGKILL every process of the tests' uid, from a child that takes that uid: kill(-1) then
    reaches all of them and spares only its caller."""
    if os.fork() == 0:
        try:
            os.setuid(uid)
            os.kill(-1, signal.SIGKILL)
        finally:
            os._exit(0)
    while True:  # everything left is dying: reap it as it comes back to us
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            break


def emit(event) -> None:
    sys.stdout.write(encode_event(event) + "\n")
    sys.stdout.flush()


def main() -> None:
    spec = JudgeJob.decode(sys.stdin.buffer.read())
    if spec.checker not in CHECKERS:
        emit(InternalError(f"unknown checker {spec.checker!r}"))
        return
    try:
        job = Job(spec)
    except (SyntaxError, ValueError) as e:
        emit(CompileError(f"{type(e).__name__}: {e}"))
        return
    del spec
    try:
        job.prepare()
    except OSError as e:
        emit(InternalError(str(e)))
        return
    workdir = tempfile.mkdtemp(prefix="judge-")
    if job.uid is not None:
        os.chown(workdir, job.uid, job.uid)
    try:
        for i in range(len(job.inputs)):
            result = run_test(job, i, workdir)
            if result.verdict == "TLE" and job.retry_tle:
                # A time limit is a claim about the program, not about a noisy moment of the machine
                # (a hypervisor can bill stolen time as CPU): it must hold twice to stand.
                result = run_test(job, i, workdir)
            emit(result)
            if result.verdict != "AC" and job.stop_on_failure:
                break
    finally:
        if job.uid is not None:
            kill_uid(job.uid)
        shutil.rmtree(workdir, ignore_errors=True)
    emit(Done())


if __name__ == "__main__":
    main()
