"""Judge vs an in-process baseline on a dataset's reference solutions, in the same run.

    .venv/bin/python bench/judge_agreement.py --dataset builtin
    .venv/bin/python bench/judge_agreement.py --make-code-contests 8 /tmp/cc.jsonl --dataset /tmp/cc.jsonl

Every reference (the built-in suite's, or the data's own: CodeContests/TACO Python 3 solutions) is
judged by the judge (isolated processes, limits, every core) and by a baseline that execs it in this
interpreter on each hidden test, with the problem's checker and no limits or isolation. Reports
agreement on AC / not AC, the problems where they differ, and tests per second for each.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import time
from pathlib import Path

from codefront.harness.judge.judge import JudgeOptions, default_concurrency, judge_many
from codefront.harness.judge.runner.checkers import CHECKERS
from codefront.harness.problems.calibrate import references_for
from codefront.harness.problems.dataset import BUILTIN, load_problems
from codefront.records import Problem
from codefront.sandbox.local import LocalBackend

PRELUDE = "from typing import *\nfrom collections import *\nimport math, heapq, bisect, itertools\n"


def _stdin_test(compiled, stdin: str) -> str:
    """One exec with stdin/stdout replaced (binary buffers too, for sys.stdin.buffer readers)."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin.encode()), encoding="utf-8")
    try:
        with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
            exec(compiled, {"__name__": "__main__"})
    finally:
        sys.stdin = sys.__stdin__
    out.flush()
    return out.buffer.getvalue().decode()


def in_process(problem: Problem, code: str) -> bool:
    """The baseline's verdict: every hidden test passes (an exception anywhere fails it)."""
    checker = CHECKERS["json" if problem.test_type == "functional" else problem.checker]
    try:
        if problem.test_type == "functional":
            namespace: dict = {}
            exec(PRELUDE + code, namespace)
            for test in problem.tests:
                args = [json.loads(line) for line in test.input.split("\n") if line.strip()]
                got = getattr(namespace["Solution"](), problem.func_name)(*args)
                if not checker(json.dumps(got, default=list), test.output, **problem.checker_args):
                    return False
            return True
        compiled = compile(code, "solution.py", "exec")
        return all(
            checker(_stdin_test(compiled, t.input), t.output, **problem.checker_args) for t in problem.tests
        )
    except Exception:
        return False


def make_code_contests(count: int, path: Path) -> None:
    """CodeContests-shaped rows (sum of a list, generated tests from 1 to 20,000 numbers, a Python 3
    and a C++ solution, 1 s / 256 MB), as JSONL."""
    solution = "input()\nprint(sum(map(int, input().split())) + {i})\n"
    rows = []
    for i in range(count):
        cases = [[7 * j % 1000 for j in range(n)] for n in (1, 3, 10, 50, 200, 1000, 5000, 20000)]
        tests = {"input": [f"{len(c)}\n{' '.join(map(str, c))}\n" for c in cases],
                 "output": [f"{sum(c) + i}\n" for c in cases]}  # fmt: skip
        rows.append({"name": f"{1000 + i}_A. Offset sum {i}", "description": f"Print the sum plus {i}.",
                     "public_tests": {"input": tests["input"][:1], "output": tests["output"][:1]},
                     "private_tests": {"input": tests["input"][:2], "output": tests["output"][:2]},
                     "generated_tests": {"input": tests["input"][2:], "output": tests["output"][2:]},
                     "source": 2, "difficulty": 7, "time_limit": {"seconds": 1, "nanos": 0},
                     "memory_limit_bytes": 256 << 20,
                     "solutions": {"language": [3, 2], "solution": [solution.format(i=i), "int main(){}"]},
                     "incorrect_solutions": {"language": [], "solution": []}})  # fmt: skip
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default=BUILTIN)
    parser.add_argument("--make-code-contests", nargs=2, metavar=("COUNT", "PATH"))
    args = parser.parse_args()
    if args.make_code_contests:
        make_code_contests(int(args.make_code_contests[0]), Path(args.make_code_contests[1]))
    problems = load_problems(args.dataset).problems
    items = [(p, code) for p in problems for code in references_for(p, None, args.dataset == BUILTIN)]
    tests = sum(len(p.tests) for p, _ in items)
    started = time.perf_counter()
    judged = [r.verdict == "AC" for r in judge_many(items, LocalBackend(), JudgeOptions(all_tests=True))]
    judge_s = time.perf_counter() - started
    started = time.perf_counter()
    baseline = [in_process(p, code) for p, code in items]
    baseline_s = time.perf_counter() - started
    differ = sorted({p.id for (p, _), a, b in zip(items, judged, baseline, strict=True) if a != b})
    agree = sum(a == b for a, b in zip(judged, baseline, strict=True))
    print(f"{args.dataset}: {len(items)} references, {tests} tests; concurrency {default_concurrency()}")
    print(f"agreement: {agree}/{len(items)} (judge AC {sum(judged)}, in-process AC {sum(baseline)})")
    print(f"differ on: {', '.join(differ) or 'none'}")
    print(
        f"judge: {judge_s:.1f} s, {tests / judge_s:.0f} tests/s; in-process: {baseline_s:.1f} s, {tests / baseline_s:.0f} tests/s"
    )


if __name__ == "__main__":
    main()
