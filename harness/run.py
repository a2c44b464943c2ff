"""`harness run` for one (model, mode): problems × samples, judged by the shared judge, stored as they
finish (a sweep of several pairs is harness/sweep.py)."""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from rich.console import Console

from codefront.agents.context import Budgets, ModeContext
from codefront.agents.modes import prompt_fingerprint
from codefront.harness.calibrate import apply_limits, load_limits
from codefront.harness.degeneration import detect
from codefront.harness.executors import PairWork
from codefront.harness.executors.local import LocalWork
from codefront.harness.executors.placements import PlacementLog
from codefront.harness.judge.cache import judge_cache_key
from codefront.harness.judge.judge import JudgePool
from codefront.harness.judge.records import JudgeResult, Outcome
from codefront.harness.loaders import load_problems
from codefront.harness.models.client import EndpointError
from codefront.harness.models.spec import ModelSpec
from codefront.harness.problems import Problem
from codefront.harness.records import Attempt, Sample
from codefront.harness.selection import Selection, select
from codefront.harness.store import Store

DEFAULT_DB = Path("runs/results.sqlite")
JUDGE_ATTEMPTS = 2
"""Times a program whose judging fails (IE) is judged, across resumes, before its IE is final: the
judge's own failure is never charged to the model, and never retried forever either."""


@dataclass(frozen=True)
class RunConfig:
    model: str
    mode: str = "reasoning"
    dataset: str = "builtin"
    selection: Selection = Selection()
    samples: int = 1
    levels: int = 4
    concurrency: int | None = None
    """Model requests in flight; None: the model's own (`ModelSpec.request_concurrency`), which the
    sweep resolves before an `Evaluation` is made."""
    sandbox: str | None = None
    """A sandbox backend; by default $CODEFRONT_SANDBOX, else the mode's own (modes.default_sandbox_for)."""
    db: Path = DEFAULT_DB
    budgets: Budgets = Budgets()
    limits: Path | None = None
    """Calibrated time limits (`harness calibrate`) replacing the problems' own."""


def select_problems(config: RunConfig, console: Console) -> list[Problem]:
    loaded = load_problems(config.dataset)
    for error in loaded.errors:
        console.print(f"[yellow]skipped:[/] {error}", highlight=False)
    problems = select(loaded.problems, config.selection, config.dataset)
    return apply_limits(problems, load_limits(config.limits)) if config.limits else problems


def run_config(config: RunConfig, model_key: str, spec: ModelSpec, problems: list[Problem]) -> dict:
    """What a run's id hashes: everything that decides its samples (the weights, sampling, every
    prompt text the mode sends, the hidden tests), so changing any of them starts a new run."""
    unhashed = ("db", "concurrency", "sandbox", "selection", "limits")
    settings = {k: v for k, v in asdict(config).items() if k not in unhashed}
    settings |= config.selection.config()
    if config.limits:  # the limits themselves, not the file's name
        settings["time_limits"] = {p.id: p.time_limit_s for p in problems}
    return {"model_key": model_key, "sampling": spec.sampling(), "system_prompt": spec.system_prompt,
            "prompts": prompt_fingerprint(config.mode, spec.tool_protocol, problems), **settings,
            "tests": [p.tests_hash() for p in problems]}  # fmt: skip


class Evaluation:
    """One (model, mode) over the selected problems: attempts, judging, storing, progress. Where the
    attempts and judgings run is `work`'s business (an executor's); by default, here through `ctx`."""

    def __init__(
        self,
        config: RunConfig,
        store: Store,
        judges: JudgePool | None,
        ctx: ModeContext | None,
        run_id: str,
        key: str,
        work: PairWork | None = None,
        placements: PlacementLog | None = None,
    ):
        self.config, self.store = config, store
        self.run_id, self.model_key = run_id, key
        self.work = work or LocalWork(config.mode, ctx, judges)
        self.placements = placements
        self.calls = asyncio.Semaphore(config.concurrency)
        self.counts = {outcome: 0 for outcome in Outcome}

    async def judged(self, problem: Problem, code: str | None) -> tuple[JudgeResult, bool]:
        """The verdict, and whether a resumed run should judge it again (an IE, not yet retried enough)."""
        result, retry, _ = await self.judged_where(problem, code)
        return result, retry

    async def judged_where(self, problem: Problem, code: str | None) -> tuple[JudgeResult, bool, str]:
        """`judged`, and the node that judged it ('cache' when the store had the verdict)."""
        if not code:
            placed = await self.work.judge(problem, code)
            return placed.value, False, placed.node
        key = judge_cache_key(problem, code, self.work.options)
        cached = self.store.cached_result(key)
        if cached is not None:
            return cached, False, "cache"
        placed = await self.work.judge(problem, code)
        result, retry = placed.value, False
        if result.outcome == Outcome.INFRA_ERROR:
            retry = self.store.count_judge_failure(key) < JUDGE_ATTEMPTS
        if not retry:
            self.store.cache_result(key, result)
        return result, retry, placed.node

    async def sample(self, problem: Problem, index: int) -> Sample:
        async with self.calls:
            try:
                placed = await self.work.attempt(problem)
                attempt, episode_node = placed.value, placed.node
            except EndpointError as e:
                attempt, episode_node = Attempt(code=None, infra_error=str(e)), "none"
        result, retry, judge_node = (None, False, None)
        if not attempt.infra_error:
            result, retry, judge_node = await self.judged_where(problem, attempt.code)
        if retry:
            attempt = replace(attempt, infra_error=f"judge: {result.detail}")
        sample = Sample(self.run_id, self.config.model, self.model_key, self.config.mode, problem.id,
                        problem.difficulty, index, attempt, result, detect(attempt))  # fmt: skip
        self.store.add(sample)
        if self.placements is not None:
            self.placements.record(sample, episode_node, judge_node)
        self.counts[result.outcome if result else Outcome.INFRA_ERROR] += 1
        return sample


async def run(config: RunConfig, console: Console) -> list[Sample]:
    """Evaluate one (model, mode), resuming what a previous identical command finished. Returns this
    call's samples. A sweep of one pair, run in this process."""
    from codefront.harness.sweep import Sweep, run_sweep

    return (await run_sweep(Sweep.of(config), console)).samples
