"""Sweeps: every (model, mode) pair over the same problems into one store, under one progress display.

`harness run --model A,B --mode reasoning,tool` or `harness run --config sweep.yaml`. Each pair is
an ordinary run (its own run id, the same resume rules); a model is opened once for all its modes,
and models are taken one after another, so local checkpoints are served one at a time."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import yaml
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from codefront.agents.context import Budgets
from codefront.agents.modes import default_sandbox_for, mode_spec
from codefront.harness.executors import EpisodeSetup, Executor, check_executor, open_executor
from codefront.harness.executors.placements import PlacementLog
from codefront.harness.judge.judge import JudgeOptions
from codefront.harness.judge.records import Outcome
from codefront.harness.models.registry import Registry, load_registry
from codefront.harness.problems import Problem
from codefront.harness.records import Sample
from codefront.harness.run import Evaluation, RunConfig, run_config, select_problems
from codefront.harness.selection import Selection
from codefront.harness.store import Store
from codefront.sandbox import check_backend


def names(text: str) -> tuple[str, ...]:
    """'a, b,c' -> ('a', 'b', 'c'), order kept, duplicates and blanks dropped."""
    return tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))


@dataclass(frozen=True)
class Sweep:
    models: tuple[str, ...]
    modes: tuple[str, ...]
    base: RunConfig
    """Everything but the model and mode, shared by every pair."""
    executor: str = "local"
    ray_address: str | None = None

    def __post_init__(self) -> None:
        if not self.models or not self.modes:
            raise ValueError("a sweep needs at least one model and one mode")
        for mode in self.modes:
            mode_spec(mode)
        check_executor(self.executor)

    @classmethod
    def of(cls, config: RunConfig) -> Sweep:
        return cls((config.model,), (config.mode,), config)

    def pairs(self) -> list[RunConfig]:
        return [replace(self.base, model=m, mode=mode) for m in self.models for mode in self.modes]


SWEEP_KEYS = {"models", "modes", "dataset", "selection", "samples", "levels", "concurrency", "sandbox",
              "db", "budgets", "limits", "executor", "ray_address"}  # fmt: skip


def sweep_from_yaml(path: Path) -> Sweep:
    """models/modes (lists or comma-separated), dataset, selection (the selection flags' names:
    problems, difficulty, platform, since, until, limit), samples, levels, concurrency, sandbox, db,
    budgets (max_steps, max_tokens, wall_time_s...), limits, executor, ray_address."""
    data = yaml.safe_load(path.read_text()) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a sweep file is a mapping")
    unknown = set(data) - SWEEP_KEYS
    if unknown:
        raise ValueError(
            f"{path}: unknown keys {', '.join(sorted(unknown))}; known: {', '.join(sorted(SWEEP_KEYS))}"
        )

    def listed(key: str, default: str) -> tuple[str, ...]:
        value = data.get(key, default)
        return names(value) if isinstance(value, str) else tuple(str(v) for v in value)

    chosen = data.get("selection") or {}
    selection = Selection.parse(*(_text(chosen.get(k)) for k in ("problems", "difficulty", "platform",
                                                                  "since", "until")), chosen.get("limit"))  # fmt: skip
    budget_names = {f.name for f in fields(Budgets)}
    if set(data.get("budgets") or {}) - budget_names:
        raise ValueError(f"{path}: budgets take {', '.join(sorted(budget_names))}")
    base = RunConfig(
        model="", dataset=str(data.get("dataset", "builtin")), selection=selection,
        samples=int(data.get("samples", 1)), levels=int(data.get("levels", RunConfig.levels)),
        concurrency=int(data["concurrency"]) if data.get("concurrency") is not None else None,
        sandbox=check_backend(data["sandbox"], f"{path}: sandbox") if data.get("sandbox") else None,
        db=Path(data.get("db", RunConfig.db)), budgets=Budgets(**(data.get("budgets") or {})),
        limits=Path(data["limits"]) if data.get("limits") else None,
    )  # fmt: skip
    return Sweep(listed("models", ""), listed("modes", "reasoning"), base,
                 str(data.get("executor", "local")), data.get("ray_address"))  # fmt: skip


def _text(value: object) -> str | None:
    if value is None:
        return None
    return ",".join(map(str, value)) if isinstance(value, list) else str(value)


@dataclass
class PairOutcome:
    config: RunConfig
    run_id: str = ""
    resumed: int = 0
    counts: dict[Outcome, int] = field(default_factory=dict)


@dataclass
class SweepResult:
    samples: list[Sample] = field(default_factory=list)
    pairs: list[PairOutcome] = field(default_factory=list)
    by_node: dict[tuple[str, str], int] = field(default_factory=dict)


class SweepProgress:
    """One display: an overall bar and one per pair, with the pair's outcomes so far."""

    def __init__(self, console: Console, pairs: list[RunConfig], per_pair: int) -> None:
        self.bar = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("[green]solved {task.fields[solved]}[/] [red]wrong {task.fields[wrong]}[/] "
                       "[yellow]slow {task.fields[slow]}[/] [magenta]infra {task.fields[infra]}[/]"),
            TimeElapsedColumn(), TimeRemainingColumn(), console=console,
        )  # fmt: skip
        zero = {"solved": 0, "wrong": 0, "slow": 0, "infra": 0}
        self.overall = self.bar.add_task("sweep", total=per_pair * len(pairs), **zero)
        self.tasks = {(c.model, c.mode): self.bar.add_task(f"{c.model} · {c.mode}", total=per_pair, **zero)
                      for c in pairs}  # fmt: skip
        self.totals = dict.fromkeys(zero, 0)

    def __enter__(self) -> SweepProgress:
        self.bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.__exit__(*exc)

    def resumed(self, config: RunConfig, done: int) -> None:
        self.bar.update(self.tasks[(config.model, config.mode)], advance=done)
        self.bar.update(self.overall, advance=done)

    def finished(self, evaluation: Evaluation, sample: Sample) -> None:
        c = evaluation.counts
        outcome = sample.result.outcome if sample.result else Outcome.INFRA_ERROR
        field_of = {Outcome.SOLVED: "solved", Outcome.CORRECTNESS_FAILURE: "wrong",
                    Outcome.OPTIMIZATION_FAILURE: "slow", Outcome.INFRA_ERROR: "infra"}  # fmt: skip
        self.totals[field_of[outcome]] += 1
        task = self.tasks[(evaluation.config.model, evaluation.config.mode)]
        self.bar.update(task, advance=1, solved=c[Outcome.SOLVED], wrong=c[Outcome.CORRECTNESS_FAILURE],
                        slow=c[Outcome.OPTIMIZATION_FAILURE], infra=c[Outcome.INFRA_ERROR])  # fmt: skip
        self.bar.update(self.overall, advance=1, **self.totals)


async def run_sweep(sweep: Sweep, console: Console) -> SweepResult:
    """Every pair, resuming what earlier identical commands finished; this call's samples and counts."""
    problems = select_problems(sweep.base, console)
    registry = load_registry()
    executor = open_executor(sweep.executor, sweep.ray_address)
    result = SweepResult()
    try:
        executor.share(problems)
        log = PlacementLog(sweep.base.db, executor.name) if sweep.executor != "local" else None
        with Store(sweep.base.db) as store, SweepProgress(console, sweep.pairs(), len(problems) * sweep.base.samples) as progress:  # fmt: skip
            for model in sweep.models:
                configs = [c for c in sweep.pairs() if c.model == model]
                await _sweep_model(configs, problems, registry, store, executor, log, progress, result)
        if log is not None:
            result.by_node = dict(log.by_node)
            log.close()
    finally:
        executor.close()
    return result


async def _sweep_model(configs: list[RunConfig], problems: list[Problem], registry: Registry, store: Store,
                       executor: Executor, log: PlacementLog | None, progress: SweepProgress,
                       result: SweepResult) -> None:  # fmt: skip
    spec = registry.get(configs[0].model)
    async with executor.open_model(spec, registry) as served:
        client = served.client
        key = client.identity.key()
        store.record_model(key, spec.name, client.identity.to_dict())
        drives = []
        for config in configs:
            config = replace(config, concurrency=config.concurrency or spec.request_concurrency)
            run_id = store.start_run(run_config(config, key, spec, problems))
            done = store.finished(run_id, key, config.mode)
            todo = [(p, i) for p in problems for i in range(config.samples) if (p.id, i) not in done]
            setup = EpisodeSetup(config.mode, spec, client.base_url, client.model,
                                 config.sandbox or default_sandbox_for(config.mode), config.budgets,
                                 served.replicas)  # fmt: skip
            work = executor.pair_work(setup, client, JudgeOptions(levels=config.levels))
            evaluation = Evaluation(config, store, None, None, run_id, key, work, log)
            outcome = PairOutcome(config, run_id, len(done), evaluation.counts)
            result.pairs.append(outcome)
            progress.resumed(config, len(done))
            if done:
                progress.bar.console.print(f"resuming run {run_id} ({config.model} · {config.mode}): "
                                           f"{len(done)} samples already finished, {len(todo)} to go")  # fmt: skip
            drives.append(_drive(evaluation, todo, progress, result))
        await asyncio.gather(*drives)


async def _drive(evaluation: Evaluation, todo: list[tuple[Problem, int]], progress: SweepProgress,
                 result: SweepResult) -> None:  # fmt: skip
    for next_done in asyncio.as_completed([evaluation.sample(p, i) for p, i in todo]):
        sample = await next_done
        result.samples.append(sample)
        progress.finished(evaluation, sample)


def summary_table(result: SweepResult) -> Table:
    table = Table(title="sweep")
    for column in ("model", "mode", "run", "resumed", "new", "solved", "wrong", "slow", "infra", "solved %"):
        table.add_column(column, justify="left" if column in ("model", "mode", "run") else "right")
    for pair in result.pairs:
        c = pair.counts
        new = sum(c.values())
        judged = new - c[Outcome.INFRA_ERROR]
        rate = f"{100 * c[Outcome.SOLVED] / judged:.1f}" if judged else "-"
        table.add_row(pair.config.model, pair.config.mode, pair.run_id[:12], str(pair.resumed), str(new),
                      str(c[Outcome.SOLVED]), str(c[Outcome.CORRECTNESS_FAILURE]),
                      str(c[Outcome.OPTIMIZATION_FAILURE]), str(c[Outcome.INFRA_ERROR]), rate)  # fmt: skip
    return table
