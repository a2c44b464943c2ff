"""stdin programs in one worker process per submission (the default) against a process per test:
the same verdicts for the ways programs read, write and end, each test measured on its own, and a
failure never billed to the test before it."""

from __future__ import annotations

import pytest

from codefront.harness.judge.judge import JudgeOptions, judge, judge_many
from codefront.harness.judge.runner.supervisor import RETIRED_EXIT
from codefront.records import Problem, Test, Verdict
from codefront.sandbox.local import LocalBackend

SUM = Problem(id="sum", statement="Print the sum of the n numbers.", time_limit_s=1.0, memory_limit_mb=256,
              tests=(Test("3\n1 2 3\n", "6\n"), Test("2\n5 5\n", "10\n"), Test("1\n7\n", "7\n")))  # fmt: skip
AC, WA, RE, TLE, OLE = Verdict.AC, Verdict.WA, Verdict.RE, Verdict.TLE, Verdict.OLE
READ = "n = int(input())\ntotal = sum(map(int, input().split()))\n"
PROGRAMS = {
    "input and print": (READ + "print(total)\n", [AC, AC, AC]),
    "open(0)": ("d = open(0).read().split()\nprint(sum(map(int, d[1:])))\n", [AC, AC, AC]),
    "binary streams": ("import sys\nd = sys.stdin.buffer.read().split()\n"
                       "sys.stdout.buffer.write(b'%d\\n' % sum(map(int, d[1:])))\n", [AC, AC, AC]),
    "os.read and os.write": ("import os\nd = os.read(0, 1 << 20).split()\n"
                             "os.write(1, b'%d\\n' % sum(map(int, d[1:])))\n", [AC, AC, AC]),
    "exit()": (READ + "print(total)\nexit()\n", [AC, AC, AC]),
    "os._exit after a flush": ("import os, sys\n" + READ + "print(total)\nsys.stdout.flush()\nos._exit(0)\n", [AC, AC, AC]),
    "os._exit without a flush": ("import os\n" + READ + "print(total)\nos._exit(0)\n", [WA, WA, WA]),
    "a thread with a big stack": ("import sys, threading\nthreading.stack_size(1 << 26)\nsys.setrecursionlimit(10**6)\n"
                                  "def main():\n    " + READ.replace("\n", "\n    ") + "print(total)\n"
                                  "threading.Thread(target=main).start()\n", [AC, AC, AC]),
    "wrong on one test": (READ + "print(total + (n == 2))\n", [AC, WA, AC]),
    "raises on one test": (READ + "assert n != 2\nprint(total)\n", [AC, RE, AC]),
    "sys.exit(3) on one test": ("import sys\n" + READ + "print(total)\nif n == 2:\n    sys.exit(3)\n", [AC, RE, AC]),
    "ends with the worker's own retiring status": ("import os\n" + READ + "print(total, flush=True)\nif n == 2:\n"
                                                   f"    os._exit({RETIRED_EXIT})\n", [AC, RE, AC]),
    "slow on one test": (READ + "while n == 2:\n    pass\nprint(total)\n", [AC, TLE, AC]),
    "too much output on one test": (READ + "print(total if n != 2 else '9' * (1 << 21))\n", [AC, OLE, AC]),
    "closes its stdin and stdout": ("import os\n" + READ + "print(total, flush=True)\nos.close(0)\nos.close(1)\n", [AC, AC, AC]),
    "binds builtins.input to its stdin": ("import builtins, sys\nbuiltins.input = sys.stdin.readline\n" + READ
                                          + "print(total)\n", [AC, AC, AC]),
    "writes its buffer at exit (atexit)": ("import atexit, io, sys\nbuffer = io.StringIO()\nsys.stdout = buffer\n"
                                           "atexit.register(lambda: sys.__stdout__.write(buffer.getvalue()))\n"
                                           + READ + "print(total)\n", [AC, AC, AC]),
    "a finalizer writes its output": ("class Late:\n    def __del__(self):\n        print(total)\n"
                                      + READ + "late = Late()\n", [AC, AC, AC]),
    "sys.exit(0.0)": (READ + "print(total)\nimport sys\nsys.exit(0.0)\n", [RE, RE, RE]),
    "a thread pool it never shuts down": ("from concurrent.futures import ThreadPoolExecutor\n" + READ
                                          + "pool = ThreadPoolExecutor(2)\ndef same(x):\n    return x\n"
                                          "print(sum(pool.map(same, [total])))\n", [AC, AC, AC]),
    "a raw thread left running": ("import _thread, time\n_thread.start_new_thread(time.sleep, (30,))\n" + READ
                                  + "print(total)\n", [AC, AC, AC]),
    "a real-time signal on one test": ("import os, signal\n" + READ + "if n == 2:\n"
                                       "    os.kill(os.getpid(), signal.SIGRTMIN + 6)\nprint(total)\n", [AC, RE, AC]),
    "replaces sys.stdout": ("import io, sys\n" + READ + "sys.stdout = io.StringIO()\nprint(total)\n"
                            "sys.__stdout__.write(sys.stdout.getvalue())\n", [AC, AC, AC]),
}  # fmt: skip


@pytest.mark.parametrize("name", PROGRAMS)
def test_one_process_per_submission_gives_the_verdicts_of_one_per_test(name):
    code, expected = PROGRAMS[name]
    for isolation in ("submission", "test"):
        options = JudgeOptions(
            all_tests=True, isolation=isolation, retry_tle=False, output_limit_bytes=1 << 20
        )
        result = judge_many([(SUM, code)], LocalBackend(), options)[0]
        assert [t.verdict for t in result.tests] == expected, (isolation, [t.detail for t in result.tests])


def test_a_failure_is_not_billed_to_the_test_the_worker_answered_before_it():
    """The worker runs ahead into the next test (its input is queued) and may end there before the
    runner has read the last answer: that answer still stands."""
    functional = Problem(id="f", statement="", test_type="functional", func_name="f", time_limit_s=1.0,
                         tests=tuple(Test(f"{n}", f"{n}") for n in (1, 2, 3)))  # fmt: skip
    failing = [
        (functional, "class Solution:\n    def f(self, n):\n        assert n != 2\n        return n\n"),
        (SUM, PROGRAMS["raises on one test"][0]),
    ]
    results = judge_many(failing * 10, LocalBackend(), JudgeOptions(all_tests=True))
    assert [[t.verdict for t in r.tests] for r in results] == [[AC, RE, AC]] * 20


def test_each_stdin_test_is_measured_on_its_own():
    code = (
        READ
        + "x = bytearray(n * 20_000_000) if n == 1 else b''\ns = 0\nfor i in range(300_000 if n == 1 else 0):\n    s += i\nprint(total)\n"
    )
    result = judge(SUM, code, LocalBackend())
    big = next(t for t in result.tests if t.input_bytes == len(SUM.tests[2].input))  # n = 1
    assert result.verdict == AC
    for small in (t for t in result.tests if t is not big):
        assert big.time_s > 5 * max(small.time_s, 0.001) and big.memory_mb > small.memory_mb + 10


def test_a_daemon_thread_left_running_does_not_reach_the_next_test():
    """A fresh process would end it at exit; the worker is replaced instead of sharing it."""
    code = (
        "import threading\ndef spin():\n    while True:\n        pass\nthreading.Thread(target=spin, daemon=True).start()\n"
        + READ
        + "print(total)\n"
    )
    result = judge(SUM, code, LocalBackend(), JudgeOptions(all_tests=True))
    assert [t.verdict for t in result.tests] == [AC, AC, AC]
    assert max(t.time_s for t in result.tests) < 0.5, [t.time_s for t in result.tests]


def test_input_keeps_a_carriage_return_as_python3s_stdin_does():
    crlf = Problem(id="crlf", statement="", tests=(Test("ab\r\ncd\n", "'ab\\r' 'cd'\n"),), time_limit_s=1.0)
    for isolation in ("submission", "test"):
        result = judge(
            crlf, "print(repr(input()), repr(input()))\n", LocalBackend(), JudgeOptions(isolation=isolation)
        )
        assert result.verdict == AC, (isolation, result.detail)


def test_an_input_larger_than_the_output_limit_is_read_whole():
    numbers = " ".join(["1"] * 600_000)
    big = Problem(id="big", statement="", tests=(Test(f"600000\n{numbers}\n", "600000\n"),), time_limit_s=2.0)
    options = JudgeOptions(output_limit_bytes=1 << 20)
    assert judge(big, READ + "print(total)\n", LocalBackend(), options).verdict == AC


@pytest.mark.parametrize("kind", ["functional", "stdin"])
def test_a_worker_may_spend_more_cpu_than_one_test_may(kind):
    """Each test's limit is the runner's to enforce; the worker's own backstop is for all of them."""
    spin = (
        "import time\nstart = time.process_time()\nwhile time.process_time() - start < 0.4 * n:\n    pass\n"
    )
    tests = tuple(Test(f"{k}\n", f"{k}\n") if kind == "stdin" else Test(f"{k}", f"{k}") for k in (1,) * 6)
    if kind == "stdin":
        code = "n = int(input())\n" + spin + "print(n)\n"
    else:
        code = (
            "class Solution:\n    def f(self, n):\n"
            + "".join(f"        {line}\n" for line in spin.splitlines())
            + "        return n\n"
        )
    problem = Problem(id="spin", statement="", tests=tests, test_type=kind, func_name="f" if kind == "functional" else None,
                      time_limit_s=0.5)  # fmt: skip
    result = judge(problem, code, LocalBackend(), JudgeOptions(all_tests=True))
    assert [t.verdict for t in result.tests] == [AC] * 6, [t.detail for t in result.tests]
    assert sum(t.time_s for t in result.tests) > 2.0  # past int(limit) + 2 s, the old whole-worker backstop
