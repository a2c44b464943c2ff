"""The judge's seams: one job format both sides read, complete cache keys, checker parameters from
the problem, and the precedence of verdicts."""

from __future__ import annotations

import asyncio
import subprocess
import time
from dataclasses import replace

import pytest

from codefront.harness.judge import program
from codefront.harness.judge.cache import judge_cache_key
from codefront.harness.judge.judge import JudgeOptions, judge, judge_job
from codefront.harness.judge.program import judge_version
from codefront.harness.judge.runner import wire
from codefront.harness.judge.runner.checkers import CHECKERS, validate_checker
from codefront.records import Problem, Test, Verdict
from codefront.sandbox.base import SandboxError
from codefront.sandbox.local import LocalBackend

HALF = Problem(
    id="half",
    statement="Print n/2.",
    tests=(Test("1\n", "0.5\n"), Test("3\n", "1.5\n"), Test("10\n", "5.0\n")),
    time_limit_s=1.0,
    memory_limit_mb=128,
)
CODE = "print(int(input()) / 2)\n"


def test_job_and_events_round_trip_through_the_wire():
    job = judge_job(HALF, CODE, [wire.TestCase(0, "1\n", "0.5\n")], JudgeOptions(all_tests=True))
    job = job._replace(test_uid=61001)
    assert wire.JudgeJob.decode(job.encode()) == job
    events = [wire.TestReport(0, "AC", 0.01, 12.0), wire.CompileError("SyntaxError: x"), wire.Done()]
    assert wire.decode_events("\n".join(map(wire.encode_event, events))) == events
    with pytest.raises(ValueError, match="line 2"):
        wire.decode_events(wire.encode_event(wire.Done()) + '\n{"done": true}')


def test_functional_ie_on_a_later_test_is_not_hidden_behind_an_earlier_wa():
    """A broken expected answer (not JSON) on the largest test is the data's fault, and the judge's:
    with --all-tests it decides the verdict even though a smaller test was answered wrongly."""
    problem = Problem(id="broken", statement="", test_type="functional", func_name="f",
                      tests=(Test("1\n", "3"), Test("100000\n", "not json")), time_limit_s=1.0)  # fmt: skip
    code = "class Solution:\n    def f(self, n):\n        return n\n"
    stopped = judge(problem, code, LocalBackend())
    everything = judge(problem, code, LocalBackend(), JudgeOptions(all_tests=True))
    assert stopped.verdict == Verdict.WA
    assert [t.verdict for t in everything.tests] == [Verdict.WA, Verdict.IE]
    assert everything.verdict == Verdict.IE and "checker failed" in everything.detail


def test_checker_parameters_come_from_the_problem():
    rough = "print(round(int(input()) / 2 + 0.004, 3))\n"
    assert judge(HALF, rough, LocalBackend()).verdict == Verdict.WA
    tolerant = replace(HALF, checker_args={"tolerance": 0.01})
    assert judge(tolerant, rough, LocalBackend()).verdict == Verdict.AC


def test_checker_names_and_parameters_are_validated_in_one_place():
    validate_checker("tokens", {"tolerance": 1e-3})
    with pytest.raises(ValueError, match="choose one of " + ", ".join(CHECKERS)):
        validate_checker("fuzzy", {})
    with pytest.raises(ValueError, match="no parameter eps .*takes: tolerance"):
        validate_checker("tokens", {"eps": 1})
    with pytest.raises(ValueError, match="takes: no parameters"):
        validate_checker("exact", {"tolerance": 1})


def test_cache_key_changes_with_every_ingredient_and_only_them(monkeypatch):
    options = JudgeOptions()
    base = judge_cache_key(HALF, CODE, judge_version(options))
    assert (
        judge_cache_key(HALF, CODE.replace("\n", "   \r\n"), judge_version(options)) == base
    )  # whitespace only
    assert judge_cache_key(replace(HALF, statement="other words"), CODE, judge_version(options)) == base
    changed_problem = {
        "id": replace(HALF, id="half2"),
        "tests": replace(HALF, tests=HALF.tests[:2]),
        "expected": replace(HALF, tests=(*HALF.tests[:2], Test("10\n", "5\n"))),
        "checker": replace(HALF, checker="lines"),
        "checker args": replace(HALF, checker_args={"tolerance": 0.1}),
        "time limit": replace(HALF, time_limit_s=2.0),
        "memory limit": replace(HALF, memory_limit_mb=256),
        "test type": replace(HALF, test_type="functional", func_name="f"),
    }
    keys = {name: judge_cache_key(p, CODE, judge_version(options)) for name, p in changed_problem.items()}
    changed_options = {"levels": replace(options, levels=2), "all tests": replace(options, all_tests=True),
                       "time override": replace(options, time_limit_s=3.0),
                       "memory override": replace(options, memory_limit_mb=64),
                       "output limit": replace(options, output_limit_bytes=1 << 10),
                       "retry tle": replace(options, retry_tle=False)}  # fmt: skip
    keys |= {name: judge_cache_key(HALF, CODE, judge_version(o)) for name, o in changed_options.items()}
    keys["code"] = judge_cache_key(HALF, CODE.replace("2", "3"), judge_version(options))
    real = program.sources()
    for module in real:
        monkeypatch.setattr(program, "sources", lambda m=module: {**real, m: real[m] + "\n# changed\n"})
        keys[f"{module}.py"] = judge_cache_key(HALF, CODE, judge_version(options))
    monkeypatch.setattr(program, "sources", lambda: real)
    assert judge_cache_key(HALF, CODE, judge_version(options)) == base
    assert base not in keys.values() and len(set(keys.values())) == len(keys), keys


class BrokenBackend:
    """A sandbox backend whose engine is down: every judging of every program is an IE."""

    name = "broken"

    async def open(self):
        raise SandboxError("engine down")


def test_a_judge_failure_is_retried_a_bounded_number_of_times(tmp_path):
    from codefront.harness.eval.recorder import JUDGE_ATTEMPTS, Recorder
    from codefront.harness.executors.local import LocalScorer
    from codefront.harness.results.store import Store

    with Store(tmp_path / "results.sqlite") as store:
        outcomes = []
        for _ in range(JUDGE_ATTEMPTS + 1):  # one recorder per resumed run
            scored = asyncio.run(
                Recorder(store).score(HALF, CODE, LocalScorer(BrokenBackend(), JudgeOptions()))
            )
            outcomes.append((scored.result.verdict, scored.retry))
    assert outcomes == [(Verdict.IE, True)] * (JUDGE_ATTEMPTS - 1) + [(Verdict.IE, False)] * 2
    assert "engine down" in scored.result.detail


DOUBLE = Problem(id="double", statement="", test_type="functional", func_name="f", time_limit_s=1.0,
                 tests=tuple(Test(f"{n}\n", str(2 * n)) for n in (1, 22, 333, 4444, 55555)))  # fmt: skip
FUNCTIONAL = {
    "right": "class Solution:\n    def f(self, n):\n        return 2 * n\n",
    "wrong on one test": "class Solution:\n    def f(self, n):\n        return 2 * n + (n == 333)\n",
    "raises on one test": "class Solution:\n    def f(self, n):\n        assert n != 333\n        return 2 * n\n",
    "slow on one test": "class Solution:\n    def f(self, n):\n        while n == 333:\n            pass\n        return 2 * n\n",
    "hog on one test": "class Solution:\n    def f(self, n):\n        x = [0] * (10**9 if n == 333 else 1)\n        return 2 * n\n",
    "exits on one test": "import sys\nclass Solution:\n    def f(self, n):\n        if n == 333:\n            sys.exit(0)\n        return 2 * n\n",
}  # fmt: skip


def test_a_stdin_program_gets_the_prelude_modules_it_names_and_its_recursion_limit():
    """A stdin program runs in a namespace of its own: the runner loads only the prelude's modules
    the program names (the others would make every fork dearer); whatever else it imports loads in
    its own process, as under a plain python3 (a worker keeps what one test loaded for the next)."""
    code = (
        "import sys\nloaded = set(sys.modules)\nimport heapq\nfrom fractions import Fraction\n"
        "stats = __import__('statistics')\n"
        "assert 'heapq' in loaded and 'statistics' not in loaded, sorted(loaded)\n"
        "assert sys.getrecursionlimit() == 50000\nn = int(input())\n"
        "print(Fraction(n, 2) == stats.mean([n / 2]) == heapq.nsmallest(1, [n / 2])[0])\n"
    )
    problem = replace(HALF, tests=tuple(Test(t.input, "True\n") for t in HALF.tests))
    result = judge(problem, code, LocalBackend(), JudgeOptions(isolation="test"))
    assert result.verdict == Verdict.AC, result.detail


@pytest.mark.parametrize("name", FUNCTIONAL)
def test_one_process_per_submission_gives_the_verdicts_of_one_per_test(name):
    """Functional tests share a worker process; a failure ends it and the next test gets a fresh one."""
    verdicts = {}
    for isolation in ("submission", "test"):
        options = JudgeOptions(all_tests=True, isolation=isolation, retry_tle=False)
        result = judge(DOUBLE, FUNCTIONAL[name], LocalBackend(), options)
        verdicts[isolation] = [t.verdict for t in result.tests]
    assert verdicts["submission"] == verdicts["test"]
    assert verdicts["test"][:2] == [Verdict.AC, Verdict.AC] and verdicts["test"][3:] == [Verdict.AC] * 2


def test_a_worker_measures_each_test_on_its_own():
    code = "class Solution:\n    def f(self, n):\n        x = bytearray(n * 200)\n        s = 0\n        for i in range(n * 20):\n            s += i\n        return 2 * n\n"
    result = judge(DOUBLE, code, LocalBackend())
    times, memory = [t.time_s for t in result.tests], [t.memory_mb for t in result.tests]
    assert result.verdict == Verdict.AC
    assert times[-1] > 10 * max(times[0], 0.001) and memory[-1] > memory[0] + 5  # the last is the big one
    assert times[0] < 0.05  # not the sum of everything before it


def test_call_based_code_without_a_solution_class_calls_the_function():
    plain = "def f(n):\n    return 2 * n\n"
    for isolation in ("submission", "test"):
        assert judge(DOUBLE, plain, LocalBackend(), JudgeOptions(isolation=isolation)).verdict == Verdict.AC


def test_a_wrong_answer_ends_the_reports_though_the_worker_ran_ahead():
    """Outputs reach the referee in batches and the worker has the next input queued: under
    stop-on-failure the reports still end at the first wrong answer."""
    result = judge(DOUBLE, FUNCTIONAL["wrong on one test"], LocalBackend())
    assert [t.verdict for t in result.tests] == [Verdict.AC, Verdict.AC, Verdict.WA]
    assert result.verdict == Verdict.WA


def test_the_runner_compiles_its_sources_where_the_sandbox_has_another_interpreter(monkeypatch):
    from codefront.harness.judge import judge as judge_module

    monkeypatch.setattr(judge_module, "compiled_prefix", lambda: b"another-interpreter 0\n")
    assert judge(HALF, CODE, LocalBackend()).verdict == Verdict.AC
    assert judge(DOUBLE, FUNCTIONAL["right"], LocalBackend()).verdict == Verdict.AC


@pytest.mark.parametrize("stdin", [b"", b"cpython-311 4096\n" + b"x" * 100], ids=["nothing", "cut-off"])
def test_a_runner_whose_harness_went_away_before_the_job_exits_at_once(stdin: bytes) -> None:
    """A runner whose stdin closes before (or while) its modules arrive must exit, not spin on the
    closed pipe: one such orphan held a core for 49 minutes."""
    started = time.monotonic()
    out = subprocess.run(program.runner_command(), input=stdin, capture_output=True, timeout=30)
    assert out.returncode != 0 and b"stdin closed before the job arrived" in out.stderr
    assert time.monotonic() - started < 10
