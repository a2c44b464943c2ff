"""A test process, after the fork: limits, pipes and uid applied, then the submission runs. Standard
library only (it travels with the runner)."""

from __future__ import annotations

import builtins
import json
import os
import resource
import sys

from supervisor import MEMORY_ERROR_EXIT, RETIRED_EXIT

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
PRELUDE_MODULES = [name.strip() for line in PRELUDE.splitlines() if line.startswith("import ")
                   for name in line.removeprefix("import ").split(",")]  # fmt: skip


def stdin_prelude(code) -> str:
    """The prelude of a stdin program, which runs in a namespace of its own: the recursion limit, and
    the imports of the prelude's modules that its code names (they are then loaded once, in the
    runner; a module it imports otherwise is loaded in its own process, as under a plain python3)."""
    names, codes = set(), [code]
    while codes:
        current = codes.pop()
        names.update(current.co_names)
        codes.extend(c for c in current.co_consts if isinstance(c, type(code)))
    lines = [f"import {module}" for module in PRELUDE_MODULES if module in names]
    if "sortedcontainers" in names:
        lines.append("try:\n    import sortedcontainers\nexcept ImportError:\n    pass")
    return "\n".join([*lines, "import sys", "sys.setrecursionlimit(50000)"])


def test_environment(workdir: str) -> dict[str, str]:
    """Every variable a test sees (the runner sets them once, before the first fork: setting them in
    each test process would copy-on-write about a hundred pages of the runner's heap)."""
    return {"HOME": workdir, "TMPDIR": workdir, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8",
            "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}  # fmt: skip


def enter_sandbox(job, pipes: dict[str, int], workdir: str) -> None:
    """In the forked process: apply the limits, join the test group, drop privileges, wire the pipes.
    Any failure ends the process before the submission runs (the runner then reports an IE)."""
    try:
        os.setpgid(0, 0)
        job.inputs.drop()
        for fd in job.referee.fds:  # a test must not talk to the referee
            os.close(fd)
        os.chdir(workdir)
        hard_cpu = int(job.cpu) + 2  # a backstop: the parent enforces the precise limit
        resource.setrlimit(resource.RLIMIT_CPU, (hard_cpu, hard_cpu))
        resource.setrlimit(resource.RLIMIT_AS, (job.address_base + job.memory,) * 2)
        resource.setrlimit(resource.RLIMIT_STACK, (job.memory, job.memory))
        # One byte over the output limit: a stdin worker's output file longer than it is OLE.
        resource.setrlimit(resource.RLIMIT_FSIZE, (job.output + 1, job.output + 1))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        job.group.enter()
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


def run_and_exit(run) -> None:
    """Run the submission's part, then end the process with the status the runner reads."""
    status = 0
    try:
        run()
        sys.stdout.flush()
    except SystemExit as e:
        status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except MemoryError:
        status = MEMORY_ERROR_EXIT
    except BaseException:
        try:
            import traceback  # here, not at the top: every runner would pay for it, few tests need it

            traceback.print_exc()
        except BaseException:
            pass
        status = 1
    try:
        join_threads()  # as a python3 waits for them before it exits
        sys.stdout.flush()
        sys.__stdout__.flush()  # a program that replaced sys.stdout may still write to the original
    except BaseException:
        status = status or 1
    os._exit(status)


def join_threads() -> None:
    """Wait for the program's non-daemon threads."""
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        for thread in threading.enumerate():
            if thread is not threading.current_thread() and not thread.daemon:
                thread.join()


def threads_left() -> bool:
    """Whether a thread other than this one still runs (a daemon: join_threads waited for the rest)."""
    threading = sys.modules.get("threading")
    return threading is not None and threading.active_count() > 1


def child(job, i: int, pipes: dict[str, int], workdir: str) -> None:
    """A test process for test `i`. Never returns."""
    input_text = job.inputs.text(i) if job.functional else ""
    enter_sandbox(job, pipes, workdir)

    def run() -> None:
        if job.functional:
            namespace = job.prelude  # this process is thrown away: no copy (a copy touches every object)
            exec(job.code, namespace)
            result = entry_point(namespace, job.func_name)()(*arguments(input_text))
            with os.fdopen(pipes["result"], "w") as f:
                json.dump(result, f, default=list)
        else:
            exec(job.code, {"__name__": "__main__", "__builtins__": __builtins__})

    run_and_exit(run)


def worker(job, pipes: dict[str, int], workdir: str) -> None:
    """A test process for every test of a submission, one after another. It reads a test as
    `<length> <position>\n<input>` and answers `<length>\n<answer>` on the result pipe: a functional
    test's JSON, from a fresh `Solution()` (as LeetCode runs them), or nothing for a stdin test,
    whose output is a file the runner reads (stdin_answers). The first failure ends it. Never returns."""
    enter_sandbox(job, pipes, workdir)
    requests = os.fdopen(os.dup(0), "rb")  # a stdin test gets an fd 0 of its own

    def serve() -> None:
        answer = functional_answers(job) if job.functional else stdin_answers(job)
        with os.fdopen(pipes["result"], "wb") as results:
            while header := requests.readline():
                size, position = map(int, header.split())
                data = answer(requests.read(size), position)
                sys.stdout.flush()
                results.write(b"%d\n" % len(data) + data)
                results.flush()
                if threads_left():  # they would run on into the next test: it gets a fresh process
                    os._exit(RETIRED_EXIT)

    run_and_exit(serve)


def functional_answers(job):
    exec(job.code, job.prelude)
    fresh = entry_point(job.prelude, job.func_name)
    return lambda data, _: json.dumps(fresh()(*arguments(data.decode())), default=list).encode()


def stdin_answers(job):
    """A stdin program run as `__main__` once per test in the worker, as LiveCodeBench's grader runs
    it in one interpreter: fresh globals; the test's input as fd 0 (a memfd: `open(0)`, `os.read(0)`
    and `input()` all see it, then its end); fd 1 a file of its own that the runner reads
    (`output_file`), so what was written before an `os._exit` counts; the output limit is the file
    size limit; builtins as they were before the first test. Non-daemon threads are waited for, as
    at an interpreter's exit."""
    encoding, errors = sys.stdout.encoding, sys.stdout.errors
    builtin_names = vars(builtins)
    original = dict(builtin_names)

    def answer(data: bytes, position: int) -> bytes:
        if builtin_names != original:  # e.g. `builtins.input = sys.stdin.readline`: the last test's stdin
            builtin_names.clear()
            builtin_names.update(original)
        fd, view = os.memfd_create("stdin"), memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.lseek(fd, 0, os.SEEK_SET)
        move(fd, 0)
        move(os.open(output_file(job, position), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 1)
        # The program's own streams, as a python3 starts with them (closing them leaves fds 0 and 1).
        sys.stdin = sys.__stdin__ = open(0, encoding=encoding, errors=errors, closefd=False)  # noqa: SIM115
        out = open(1, "w", encoding=encoding, errors=errors, closefd=False)  # noqa: SIM115
        sys.stdout = sys.__stdout__ = out
        try:
            exec(job.code, {"__name__": "__main__", "__builtins__": __builtins__})
        except SystemExit as e:
            if e.code not in (None, 0):
                raise
        join_threads()
        out.flush()  # the program may have replaced sys.stdout; as at exit, this one is still written
        return b""

    return answer


def move(fd: int, target: int) -> None:
    """Make `fd` the descriptor `target` (which the last test may have closed: `fd` may be it)."""
    if fd != target:
        os.dup2(fd, target)
        os.close(fd)


def output_file(job, position: int) -> str:
    """Where a stdin test in a worker writes its output (the runner reads it and removes it)."""
    return f"{job.output_dir}/{position}"


def entry_point(namespace: dict, func_name: str):
    """What a functional test calls, made fresh for each test: `Solution().<func_name>` (LeetCode),
    or a top-level function `<func_name>` where the code defines no Solution (APPS call-based)."""
    solution = namespace.get("Solution")
    if solution is None:
        function = namespace[func_name]
        return lambda: function
    return lambda: getattr(solution(), func_name)


def arguments(text: str) -> list:
    """A functional test's input: one JSON value per line."""
    return [json.loads(line) for line in text.split("\n") if line.strip()]
