"""A test process, after the fork: limits, pipes and uid applied, then the submission runs. Standard
library only (it travels with the runner)."""

from __future__ import annotations

import gc
import json
import os
import resource
import sys

from supervisor import MEMORY_ERROR_EXIT

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


def enter_sandbox(job, pipes: dict[str, int], workdir: str, tests: int = 1) -> None:
    """In the forked process, which runs `tests` tests: apply the limits, join the test group, drop
    privileges, wire the pipes. Any failure ends the process before the submission runs (the runner
    then reports an IE)."""
    try:
        os.setpgid(0, 0)
        job.inputs.drop()
        for fd in job.referee.fds:  # a test must not talk to the referee
            os.close(fd)
        os.chdir(workdir)
        hard_cpu = int(job.cpu * tests) + 2  # a backstop: the parent enforces each test's limit
        resource.setrlimit(resource.RLIMIT_CPU, (hard_cpu, hard_cpu))
        resource.setrlimit(resource.RLIMIT_AS, (job.address_base + job.memory,) * 2)
        resource.setrlimit(resource.RLIMIT_STACK, (job.memory, job.memory))
        # One byte over the output limit: a stdin worker's output file longer than it is OLE. Up to
        # the biggest input, the worker may raise it to write a test's input (worker.input_of).
        resource.setrlimit(resource.RLIMIT_FSIZE, (job.output + 1, max(job.output, job.biggest_input) + 1))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        first_to_go_when_out_of_memory()
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


def first_to_go_when_out_of_memory() -> None:
    """Be the OOM killer's first choice (a container's memory cgroup has one for all its processes):
    a fork bomb's copies must not make it kill the runner or the referee (an IE). Best effort."""
    try:
        adjust = os.open("/proc/self/oom_score_adj", os.O_WRONLY)
        try:
            os.write(adjust, b"1000")
        finally:
            os.close(adjust)
    except OSError:
        pass


def run_and_exit(run) -> None:
    """Run the submission's part, then end the process with the status the runner reads."""
    status = 0
    try:
        run()
        sys.stdout.flush()
    except SystemExit as e:
        status = exit_status(e)
        if not (e.code is None or isinstance(e.code, int)):
            print(e.code, file=sys.stderr)
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
        at_exit()
        sys.stdout.flush()
        sys.__stdout__.flush()  # a program that replaced sys.stdout may still write to the original
    except BaseException:
        status = status or 1
    os._exit(status)


def exit_status(e: SystemExit) -> int:
    """The status python3 exits with on `e` (anything but None or an int: 1, after printing it)."""
    return int(e.code or 0) if e.code is None or isinstance(e.code, int) else 1


def at_exit() -> None:
    """What a python3 does as it exits: run threading's exit hooks (concurrent.futures shuts its
    executors down there), wait for non-daemon threads (those they start too), run the `atexit`
    functions (fast-output templates write their buffer there), then finalize what is left of the
    program (the caller has dropped its globals; a function and its globals are a cycle)."""
    threading = sys.modules.get("threading")
    for hook in reversed(getattr(threading, "_threading_atexits", ())):
        hook()
    while threading is not None and threading.active_count() > 1:
        others = [t for t in threading.enumerate() if t is not threading.current_thread() and not t.daemon]
        if not others:
            break
        for thread in others:
            thread.join()
    if "atexit" in sys.modules:
        sys.modules["atexit"]._run_exitfuncs()
    gc.collect()


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
