"""A worker process: all of a submission's tests, one after another, as LeetCode runs functional
tests and LiveCodeBench's grader runs stdin programs. Standard library only (it travels with the
runner)."""

from __future__ import annotations

import _thread
import builtins
import gc
import json
import os
import resource
import sys

from child import arguments, at_exit, enter_sandbox, entry_point, exit_status, run_and_exit
from supervisor import RETIRED_EXIT


def worker(job, pipes: dict[str, int], workdir: str) -> None:
    """A test process for every test of a submission. It reads a test as `<length> <position>\\n<input>`
    and answers `<length>\\n<answer>` on the result pipe: a functional test's JSON, from a fresh
    `Solution()`; nothing for a stdin test, whose output is a file (stdin_answers). The first
    failure ends it. Never returns."""
    enter_sandbox(job, pipes, workdir, tests=len(job.indices))
    requests = os.fdopen(os.dup(0), "rb")
    move(os.open(os.devnull, os.O_RDONLY), 0)  # a test's stdin is its own, never the requests
    pid = os.getpid()

    def serve() -> None:
        answer = functional_answers(job) if job.functional else stdin_answers(job)
        with os.fdopen(pipes["result"], "wb") as results:
            while header := requests.readline():
                size, position = map(int, header.split())
                data = answer(requests.read(size), position)
                if os.getpid() != pid:  # a process the program forked, at the end of the program
                    os._exit(0)
                sys.stdout.flush()
                results.write(b"%d\n" % len(data) + data)
                results.flush()
                if spent():  # the next test gets a fresh process
                    os._exit(RETIRED_EXIT)

    run_and_exit(serve)


def spent() -> bool:
    """Whether the last test left this process unfit for the next: threads of it still running (they
    would run on into the next), or concurrent.futures shut down for good, as at an exit."""
    futures = sys.modules.get("concurrent.futures.thread")
    return _thread._count() > 0 or bool(getattr(futures, "_shutdown", False))


def functional_answers(job):
    exec(job.code, job.prelude)
    fresh = entry_point(job.prelude, job.func_name)
    return lambda data, _: json.dumps(fresh()(*arguments(data.decode())), default=list).encode()


def stdin_answers(job):
    """A stdin program run afresh as `__main__` for each test: fresh globals; builtins as they were
    before the first test; the test's input as fd 0 (`open(0)`, `os.read(0)`, `sys.stdin` and
    `input()` all see it, then its end); as fd 1 a file the runner reads (what was written before
    an `os._exit` counts; the output limit is its size limit). It ends as a python3 exits (threads
    waited for, `atexit` functions run, its objects finalized)."""
    encoding, errors = sys.stdout.encoding, sys.stdout.errors
    names, original = vars(builtins), dict(vars(builtins))

    def answer(data: bytes, position: int) -> bytes:
        if names != original:  # e.g. `builtins.input = sys.stdin.readline`: the last test's stdin
            names.clear()
            names.update(original)
        move(input_of(data, job.output), 0)
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW  # the last test may have left a link
        move(os.open(output_file(job, position), flags, 0o600), 1)
        # The program's own streams, as python3 makes them (closing them leaves fds 0 and 1 open).
        sys.stdin = sys.__stdin__ = open(0, encoding=encoding, errors=errors, newline="\n", closefd=False)  # noqa: SIM115
        out = open(1, "w", encoding=encoding, errors=errors, newline="\n", closefd=False)  # noqa: SIM115
        sys.stdout = sys.__stdout__ = out
        namespace = {"__name__": "__main__", "__builtins__": builtins}
        try:
            exec(job.code, namespace)
        except SystemExit as e:
            if exit_status(e):
                raise
        del namespace  # what its objects' finalizers write is this test's output, as at exit
        at_exit()
        gc.enable()
        out.flush()
        return b""

    return answer


def input_of(data: bytes, output_limit: int) -> int:
    """A memfd holding `data`, at its start. The file size limit is the output limit: it is raised to
    its ceiling (the biggest input) for the write, and set back after it."""
    fd, view = os.memfd_create("stdin"), memoryview(data)
    _, ceiling = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (ceiling, ceiling))
    try:
        while view:
            view = view[os.write(fd, view) :]
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (min(output_limit + 1, ceiling), ceiling))
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def move(fd: int, target: int) -> None:
    """Make `fd` the descriptor `target` (which the last test may have closed: `fd` may be it)."""
    if fd != target:
        os.dup2(fd, target)
        os.close(fd)


def output_file(job, position: int) -> str:
    """A stdin test's output in a worker, read and removed by the runner."""
    return f"{job.scratch}/output/{position}"
