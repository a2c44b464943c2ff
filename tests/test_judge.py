"""The judge on real processes: verdicts, limits, coverage, and hostile submissions."""

from __future__ import annotations

import os
import subprocess

import pytest

from codefront.harness.judge.judge import JudgeOptions, judge, judge_many
from codefront.records import Outcome, Problem, Test, Verdict, ladder
from codefront.sandbox.local import LocalBackend

BACKEND = LocalBackend()
ADD = Problem(
    id="add",
    statement="Print a+b.",
    tests=tuple(Test(f"{a} {b}\n", f"{a + b}\n") for a, b in [(1, 2), (10**30, 1), (-5, 5), (7, 8)]),
    time_limit_s=1.0,
    memory_limit_mb=128,
)
SOLVE_ADD = "a, b = map(int, input().split())\nprint(a + b)\n"


def sized(n_tests: int) -> Problem:
    """Test i has an input of i+1 numbers; the answer is their sum."""
    tests = tuple(Test(f"{i + 1}\n" + " ".join(["1"] * (i + 1)) + "\n", f"{i + 1}\n") for i in range(n_tests))
    return Problem(id=f"sized{n_tests}", statement="sum", tests=tests, time_limit_s=1.0, memory_limit_mb=128)


def run(code: str, problem: Problem = ADD, **options) -> object:
    return judge(problem, code, BACKEND, JudgeOptions(**options))


def test_accepted_reaches_full_coverage():
    result = run(SOLVE_ADD)
    assert (result.verdict, result.outcome, result.coverage, result.passed, result.total) == (
        Verdict.AC,
        Outcome.SOLVED,
        4,
        4,
        4,
    )
    assert all(t.time_s < 1.0 and t.memory_mb > 0 for t in result.tests)


def test_wrong_answer_stops_at_first_failure_in_size_order():
    result = run("a, b = map(int, input().split())\nprint(a + b if a < 100 else 0)\n")
    assert result.verdict == Verdict.WA and result.outcome == Outcome.CORRECTNESS_FAILURE
    # the big-integer test is the largest input: the three smaller ones pass first
    assert [t.verdict for t in result.tests] == [Verdict.AC] * 3 + [Verdict.WA]
    assert result.coverage == 3


def test_all_tests_runs_past_a_failure():
    code = "a, b = map(int, input().split())\nprint(0 if a == 1 else a + b)\n"
    assert len(run(code).tests) == 1
    result = run(code, all_tests=True)
    assert len(result.tests) == 4 and result.passed == 3 and result.coverage == 0


def test_ladder_sorts_by_size_and_splits_near_equally():
    problem = sized(10)
    levels = [t.level for t in ladder(tuple(reversed(problem.tests)), 4)]
    assert levels == [1, 1, 1, 2, 2, 3, 3, 3, 4, 4]
    sizes = [t.test.input_bytes for t in ladder(problem.tests, 4)]
    assert sizes == sorted(sizes)


def test_coverage_counts_levels_passed_below_a_time_failure():
    code = "n = int(input())\nimport time\nif n > 6:\n    while True: pass\nprint(n)\n"
    result = run(code, problem=sized(10), time_limit_s=0.3)
    assert result.verdict == Verdict.TLE and result.outcome == Outcome.OPTIMIZATION_FAILURE
    assert result.coverage == 2  # tests 0..5 (levels 1-2) pass, test 6 (level 3) is too slow


def test_numbers_compare_with_tolerance_and_integers_exactly():
    problem = Problem(id="f", statement="", tests=(Test("", "0.3333333333 12345678901234567890\n"),))
    assert run("print(1/3, 12345678901234567890)", problem).verdict == Verdict.AC
    assert run("print(0.3334, 12345678901234567890)", problem).verdict == Verdict.WA
    assert run("print(1/3, 12345678901234567891)", problem).verdict == Verdict.WA


def test_functional_calls_solution_method_with_json_lines():
    problem = Problem(
        id="two",
        statement="",
        test_type="functional",
        func_name="pair",
        tests=(Test("[2, 7, 11]\n9", "[0, 1]"), Test("[1, 5]\n6", "[0, 1]"), Test("[1.5]\n0", "1.5")),
    )
    code = (
        "class Solution:\n"
        "    def pair(self, nums: List[int], target: int):\n"
        "        if len(nums) == 1: return nums[0] + 1e-9\n"
        "        return (0, 1)\n"
    )
    assert run(code, problem).verdict == Verdict.AC  # tuple == list, floats within 1e-6, typing prelude
    assert run(code.replace("(0, 1)", "[1, 0]"), problem).verdict == Verdict.WA
    missing = run("class Solution:\n    pass\n", problem)
    assert missing.verdict == Verdict.RE and "pair" in missing.detail


def test_sortedcontainers_is_offered():
    assert run("from sortedcontainers import SortedList\n" + SOLVE_ADD).verdict == Verdict.AC


def test_no_code_and_syntax_error_are_compile_errors():
    assert run("").verdict == Verdict.CE and run("").detail == "no code"
    result = run("def f(:\n")
    assert (result.verdict, result.outcome, result.tests) == (Verdict.CE, Outcome.CORRECTNESS_FAILURE, ())


HOSTILE = {
    "network": ("import socket\nsocket.create_connection(('1.1.1.1', 53), timeout=2)\n", Verdict.RE),
    "loopback": ("import socket\nsocket.create_connection(('127.0.0.1', 22), timeout=2)\n", Verdict.RE),
    "fork bomb": ("import os\nwhile True:\n    os.fork()\n", (Verdict.RE, Verdict.TLE)),
    "sleep": ("import time\ntime.sleep(30)\n", Verdict.TLE),
    "busy loop": ("while True:\n    pass\n", Verdict.TLE),
    "memory hog": ("x = []\nwhile True:\n    x.append(' ' * 10**6)\n", Verdict.MLE),
    "one huge allocation": ("x = bytearray(8 * 10**9)\n", Verdict.MLE),
    "endless output": ("while True:\n    print('y' * 1000)\n", Verdict.OLE),
    "syntax error": ("print(\n", Verdict.CE),
    "crash": ("raise SystemExit(3)\n", Verdict.RE),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_submission_gets_its_verdict(name):
    code, expected = HOSTILE[name]
    result = run(code, output_limit_bytes=1 << 20)
    assert result.verdict in (expected if isinstance(expected, tuple) else (expected,)), result.detail
    # the next submission is unaffected
    assert run(SOLVE_ADD).verdict == Verdict.AC


def test_environment_secrets_never_reach_submissions(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-leak-me")
    problem = Problem(id="env", statement="", tests=(Test("", "clean\n"),))
    code = (
        "import os\n"
        "seen = ' '.join(os.environ.values())\n"
        "try:\n    seen += open('/proc/1/environ').read()\nexcept OSError:\n    pass\n"
        "print('leak' if 'sk-leak-me' in seen else 'clean')\n"
    )
    assert run(code, problem).verdict == Verdict.AC


def test_sleeper_wall_limit_and_process_group_reaped():
    code = "import subprocess, time\nsubprocess.Popen(['sleep', '1000'])\ntime.sleep(30)\n"
    assert run(code).verdict == Verdict.TLE
    leftover = subprocess.run(["pgrep", "-f", "sleep 1000"], capture_output=True, text=True)
    assert leftover.stdout.strip() == ""


def test_escaped_daemon_is_swept():
    code = "import os\nif os.fork() == 0:\n    os.setsid()\n    os.execvp('sleep', ['sleep', '4242.5'])\nprint(3)\n"
    assert run(code).verdict == Verdict.WA
    assert subprocess.run(["pgrep", "-f", "sleep 4242.5"], capture_output=True).stdout == b""


def test_batch_judging_keeps_order():
    codes = [SOLVE_ADD, "print(0)", "def f(:", SOLVE_ADD] * 3
    results = judge_many([(ADD, c) for c in codes], BACKEND, concurrency=2)
    assert [r.verdict for r in results] == [Verdict.AC, Verdict.WA, Verdict.CE, Verdict.AC] * 3


def test_time_limit_option_overrides_problem():
    code = "s = 0\nfor i in range(3 * 10**6):\n    s += i\nprint(1, 2)\n"
    problem = Problem(id="t", statement="", tests=(Test("", "1 2\n"),), time_limit_s=5.0)
    assert run(code, problem).verdict == Verdict.AC
    assert run(code, problem, time_limit_s=0.05).verdict == Verdict.TLE


def test_a_time_limit_must_be_exceeded_twice():
    """The marker lives in the submission's private /tmp: it persists from one test run to the next
    within a submission, and is gone for the next submission (and never reaches the host's /tmp)."""
    marker = "/tmp/codefront-retry-marker"
    code = (
        "import os\n"
        f"if not os.path.exists({marker!r}):\n"
        f"    open({marker!r}, 'w').close()\n"
        "    while True:\n        pass\n"
        + SOLVE_ADD
    )  # fmt: skip
    problem = Problem(id="flaky", statement="", tests=(ADD.tests[0],), time_limit_s=0.3)
    assert run(code, problem).verdict == Verdict.AC  # slow once, fine the second time
    assert run(code, problem, retry_tle=False).verdict == Verdict.TLE
    assert not os.path.exists(marker)
