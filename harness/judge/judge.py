"""The judge: one submission against a problem's hidden tests, through any sandbox backend."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from codefront.harness.judge.records import OUTCOME_OF, JudgeResult, TestResult, Verdict
from codefront.harness.problems import DEFAULT_LEVELS, Problem, coverage_of, ladder
from codefront.sandbox.base import SandboxBackend

OUTPUT_LIMIT_BYTES = 64 << 20
RUNNER_SLACK_S = 30.0


@dataclass(frozen=True)
class JudgeOptions:
    levels: int = DEFAULT_LEVELS
    all_tests: bool = False
    """Run every test instead of stopping at the first failure."""
    time_limit_s: float | None = None
    """Overrides the problem's own limit."""
    memory_limit_mb: int | None = None
    output_limit_bytes: int = OUTPUT_LIMIT_BYTES
    retry_tle: bool = True
    """Run a test that exceeded a time limit once more: TLE stands only if it happens twice."""


def default_concurrency() -> int:
    return max(1, len(os.sched_getaffinity(0)))


async def judge_async(
    problem: Problem,
    code: str | None,
    backend: SandboxBackend,
    options: JudgeOptions = JudgeOptions(),
) -> JudgeResult:
    leveled = ladder(problem.tests, options.levels)
    total = len(leveled)
    if not code or not code.strip():
        return JudgeResult.without_tests(problem.id, Verdict.CE, options.levels, total, "no code")
    time_limit = options.time_limit_s or problem.time_limit_s
    job = {
        "code": code,
        "test_type": problem.test_type,
        "func_name": problem.func_name,
        "checker": "json" if problem.test_type == "functional" else problem.checker,
        "time_limit_s": time_limit,
        "memory_limit_mb": options.memory_limit_mb or problem.memory_limit_mb,
        "output_limit_bytes": options.output_limit_bytes,
        "stop_on_failure": not options.all_tests,
        "retry_tle": options.retry_tle,
        "tests": [{"index": t.index, "input": t.test.input, "output": t.test.output} for t in leveled],
    }
    try:
        sandbox = await backend.open()
    except Exception as e:  # the engine is down or the image is missing: not the model's fault
        return JudgeResult.without_tests(problem.id, Verdict.IE, options.levels, total, f"sandbox: {e}")
    try:
        job["isolation"] = sandbox.judge_isolation
        result = await sandbox.exec(
            [*sandbox.python, sandbox.judge_runner],
            input=json.dumps(job),
            timeout=2 * total * (time_limit * 2.5 + 1.0) + RUNNER_SLACK_S,  # TLEs run twice
            output_limit=16 << 20,
        )
    finally:
        await sandbox.close()
    return _collect(problem.id, leveled, options.levels, result.stdout, result.stderr, result.returncode)


def _collect(problem_id, leveled, levels: int, stdout: str, stderr: str, returncode: int) -> JudgeResult:
    total = len(leveled)
    tests: list[TestResult] = []
    done = False
    for line in stdout.splitlines():
        record = json.loads(line)
        if "compile_error" in record:
            return JudgeResult.without_tests(problem_id, Verdict.CE, levels, total, record["compile_error"])
        if "internal_error" in record:
            return JudgeResult.without_tests(problem_id, Verdict.IE, levels, total, record["internal_error"])
        if record.get("done"):
            done = True
            break
        spec = leveled[record["index"]]
        tests.append(
            TestResult(
                index=spec.index,
                level=spec.level,
                input_bytes=spec.test.input_bytes,
                verdict=Verdict(record["verdict"]),
                time_s=record["time_s"],
                memory_mb=record["memory_mb"],
                detail=record["detail"],
            )
        )
    if not done:
        tail = (stderr.strip().splitlines() or [f"exit status {returncode}"])[-1]
        return JudgeResult.without_tests(problem_id, Verdict.IE, levels, total, f"runner failed: {tail}")
    failed = next((t for t in tests if t.verdict != Verdict.AC), None)
    verdicts = {t.index: t.verdict for t in tests}
    passed_by_level: dict[int, bool] = {}
    for spec in leveled:
        ok = verdicts.get(spec.index) == Verdict.AC  # a test that never ran did not pass
        passed_by_level[spec.level] = passed_by_level.get(spec.level, True) and ok
    verdict = failed.verdict if failed else Verdict.AC
    return JudgeResult(
        problem=problem_id,
        verdict=verdict,
        outcome=OUTCOME_OF[verdict],
        coverage=coverage_of(passed_by_level, levels),
        levels=levels,
        passed=sum(t.verdict == Verdict.AC for t in tests),
        total=total,
        tests=tuple(tests),
        time_s=max((t.time_s for t in tests), default=0.0),
        memory_mb=max((t.memory_mb for t in tests), default=0.0),
        detail=failed.detail if failed else "",
    )


class JudgePool:
    """Judges submissions concurrently, at most `concurrency` (default: the cores) at once."""

    def __init__(
        self, backend: SandboxBackend, options: JudgeOptions = JudgeOptions(), concurrency: int | None = None
    ) -> None:
        self.backend, self.options = backend, options
        self._running = asyncio.Semaphore(concurrency or default_concurrency())

    async def judge(self, problem: Problem, code: str | None) -> JudgeResult:
        async with self._running:
            return await judge_async(problem, code, self.backend, self.options)


async def judge_many_async(
    items: Iterable[tuple[Problem, str | None]],
    backend: SandboxBackend,
    options: JudgeOptions = JudgeOptions(),
    concurrency: int | None = None,
) -> list[JudgeResult]:
    """Judge many submissions at once, at most `concurrency` (default: the cores) in flight."""
    pool = JudgePool(backend, options, concurrency)
    return list(await asyncio.gather(*(pool.judge(p, c) for p, c in items)))


def judge(
    problem: Problem, code: str | None, backend: SandboxBackend, options: JudgeOptions = JudgeOptions()
):
    return asyncio.run(judge_async(problem, code, backend, options))


def judge_many(
    items: Sequence[tuple[Problem, str | None]],
    backend: SandboxBackend,
    options: JudgeOptions = JudgeOptions(),
    concurrency: int | None = None,
) -> list[JudgeResult]:
    return asyncio.run(judge_many_async(items, backend, options, concurrency))
