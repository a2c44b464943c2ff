"""Ray's overhead on judging: the same batch through `--executor ray` and `local`, in one run.

    .venv/bin/python bench/ray_overhead.py [--kind functional] [--size leetcode-sized]
        [--submissions 16] [--tests 40] [--rounds 5]

The batch is bench/judge_throughput.py's workload, judged the way the training reward judges
(an executor's `judge_batch`): locally with N submissions at once, and as 1-CPU Ray tasks on a Ray
started here with N CPUs. For N = 2 (this machine's cores) and N = 1, rounds alternate local and
Ray after one untimed warm-up batch each (Ray's workers start and import the judge then); each
figure is the median of its rounds. Overhead = 1 - Ray's tests/s / local's; target: at most 10%.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import ray

from codefront.harness.executors.local import LocalExecutor
from codefront.harness.executors.ray_executor import RayExecutor
from codefront.harness.judge.judge import JudgeOptions
from codefront.records import Problem, Verdict
from codefront.sandbox.local import LocalBackend

sys.path.insert(0, str(Path(__file__).resolve().parent))
from judge_throughput import SIZES, workload  # noqa: E402

Batch = list[tuple[Problem, str]]


def timed(judge: Callable[[], list], tests: int) -> float:
    """tests/s of one batch, which must come back all AC (a wrong verdict would measure nothing)."""
    start = time.perf_counter()
    placed = judge()
    seconds = time.perf_counter() - start
    bad = [p.value.verdict for p in placed if p.value.verdict != Verdict.AC]
    if bad:
        raise RuntimeError(f"the benchmark's batch came back {bad[:3]}..., not all AC")
    return tests / seconds


def compare(items: Batch, workers: int, rounds: int) -> dict[str, list[float]]:
    """tests/s of each round, local and Ray alternating, with `workers` judgings at once."""
    tests = sum(len(problem.tests) for problem, _ in items)
    backend, options = LocalBackend(), JudgeOptions()
    local = LocalExecutor()
    ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
    cluster = RayExecutor(started_here=True)
    try:
        cluster.share([problem for problem, _ in items])
        runs = {
            "local": lambda: local.judge_batch(items, backend, options, workers),
            "ray": lambda: cluster.judge_batch(items, backend, options),
        }
        for judge in runs.values():  # warm-up: Ray's workers start and import the judge here
            timed(judge, tests)
        rates: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(rounds):
            for name, judge in runs.items():
                rates[name].append(timed(judge, tests))
        return rates
    finally:
        cluster.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kind", choices=("functional", "stdin"), default="functional")
    parser.add_argument("--size", choices=sorted(SIZES), default="leetcode-sized")
    parser.add_argument("--submissions", type=int, default=16)
    parser.add_argument("--tests", type=int, default=40, help="tests per submission")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    items = workload(args.kind, args.size, args.submissions, args.tests)
    print(f"{args.submissions} {args.kind} submissions x {args.tests} {args.size} tests, "
          f"{args.rounds} alternating rounds, medians")  # fmt: skip
    medians = {}
    for workers in (2, 1):
        rates = compare(items, workers, args.rounds)
        medians[workers] = {name: statistics.median(r) for name, r in rates.items()}
        spread = ", ".join(f"{name} {min(r):.0f}-{max(r):.0f}" for name, r in rates.items())
        print(f"  {workers} worker(s): rounds' range {spread} tests/s")
    print("\n| workers | local tests/s | ray tests/s | ray / local | overhead |")
    print("|---:|---:|---:|---:|---:|")
    for workers, m in medians.items():
        ratio = m["ray"] / m["local"]
        print(f"| {workers} | {m['local']:.0f} | {m['ray']:.0f} | {ratio:.2f} | {1 - ratio:.0%} |")
    for name in ("local", "ray"):
        print(f"{name}: 2 workers / 1 worker = {medians[2][name] / medians[1][name]:.2f}x")


if __name__ == "__main__":
    main()
