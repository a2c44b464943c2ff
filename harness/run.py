"""`harness run`: problems × samples through one mode, judged by the shared judge, stored as they finish."""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from codefront.agents.context import Budgets, ModeContext
from codefront.agents.modes import default_sandbox_for, mode_named, prompt_fingerprint
from codefront.harness.calibrate import apply_limits, load_limits
from codefront.harness.degeneration import detect
from codefront.harness.judge.cache import judge_cache_key
from codefront.harness.judge.judge import JudgeOptions, JudgePool
from codefront.harness.judge.records import JudgeResult, Outcome
from codefront.harness.loaders import load_problems
from codefront.harness.models.client import EndpointError, open_model
from codefront.harness.models.registry import load_registry
from codefront.harness.models.spec import ModelSpec
from codefront.harness.problems import Problem
from codefront.harness.records import Attempt, Sample
from codefront.harness.selection import Selection, select
from codefront.harness.store import Store
from codefront.sandbox import backend_named

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
    concurrency: int = 8
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
    """One (model, mode) over the selected problems: attempts, judging, storing, progress."""

    def __init__(
        self, config: RunConfig, store: Store, judges: JudgePool, ctx: ModeContext, run_id: str, key: str
    ):
        self.config, self.store, self.judges, self.ctx = config, store, judges, ctx
        self.run_id, self.model_key = run_id, key
        self.mode = mode_named(config.mode)
        self.calls = asyncio.Semaphore(config.concurrency)
        self.counts = {outcome: 0 for outcome in Outcome}

    async def judged(self, problem: Problem, code: str | None) -> tuple[JudgeResult, bool]:
        """The verdict, and whether a resumed run should judge it again (an IE, not yet retried enough)."""
        if not code:
            return await self.judges.judge(problem, code), False
        key = judge_cache_key(problem, code, self.judges.options)
        cached = self.store.cached_result(key)
        if cached is not None:
            return cached, False
        result = await self.judges.judge(problem, code)
        retry = False
        if result.outcome == Outcome.INFRA_ERROR:
            retry = self.store.count_judge_failure(key) < JUDGE_ATTEMPTS
        if not retry:
            self.store.cache_result(key, result)
        return result, retry

    async def sample(self, problem: Problem, index: int) -> Sample:
        async with self.calls:
            try:
                attempt = await self.mode(problem, self.ctx)
            except EndpointError as e:
                attempt = Attempt(code=None, infra_error=str(e))
        result, retry = (None, False) if attempt.infra_error else await self.judged(problem, attempt.code)
        if retry:
            attempt = replace(attempt, infra_error=f"judge: {result.detail}")
        sample = Sample(self.run_id, self.config.model, self.model_key, self.config.mode, problem.id,
                        problem.difficulty, index, attempt, result, detect(attempt))  # fmt: skip
        self.store.add(sample)
        self.counts[result.outcome if result else Outcome.INFRA_ERROR] += 1
        return sample


def progress_bar(console: Console) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("[green]solved {task.fields[solved]}[/] [red]wrong {task.fields[correctness]}[/] "
                   "[yellow]slow {task.fields[optimization]}[/] [magenta]infra {task.fields[infra]}[/]"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
    )  # fmt: skip


async def run(config: RunConfig, console: Console) -> list[Sample]:
    """Evaluate, resuming what a previous identical command finished. Returns this call's samples."""
    problems = select_problems(config, console)
    registry = load_registry()
    spec = registry.get(config.model)
    options = JudgeOptions(levels=config.levels)
    with Store(config.db) as store:
        async with open_model(config.model, registry) as client:
            identity = client.identity
            key = identity.key()
            store.record_model(key, config.model, identity.to_dict())
            run_id = store.start_run(run_config(config, key, spec, problems))
            done = store.finished(run_id, key, config.mode)
            todo = [(p, i) for p in problems for i in range(config.samples) if (p.id, i) not in done]
            sandbox = config.sandbox or default_sandbox_for(config.mode)
            ctx = ModeContext(client, backend_named(sandbox), spec.system_prompt,
                              spec.tool_protocol, config.budgets)  # fmt: skip
            evaluation = Evaluation(config, store, JudgePool(ctx.sandbox, options), ctx, run_id, key)
            if done:
                console.print(
                    f"resuming run {run_id}: {len(done)} samples already finished, {len(todo)} to go"
                )
            return await _drive(evaluation, todo, console)


async def _drive(evaluation: Evaluation, todo: list[tuple[Problem, int]], console: Console) -> list[Sample]:
    samples: list[Sample] = []
    with progress_bar(console) as bar:
        fields = {"solved": 0, "correctness": 0, "optimization": 0, "infra": 0}
        task = bar.add_task(
            f"{evaluation.config.model} · {evaluation.config.mode}", total=len(todo), **fields
        )
        for next_done in asyncio.as_completed([evaluation.sample(p, i) for p, i in todo]):
            samples.append(await next_done)
            c = evaluation.counts
            bar.update(task, advance=1, solved=c[Outcome.SOLVED], correctness=c[Outcome.CORRECTNESS_FAILURE],
                       optimization=c[Outcome.OPTIMIZATION_FAILURE], infra=c[Outcome.INFRA_ERROR])  # fmt: skip
    return samples
