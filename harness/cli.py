"""The `harness` command. Each sub-command lives beside the code it drives; this file wires them."""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from codefront.agents.context import Budgets
from codefront.agents.modes import MODES
from codefront.harness.calibrate import apply_limits, load_limits
from codefront.harness.calibrate_cli import LimitsOption, calibrate_command
from codefront.harness.generations_cli import GenerationsRequest, judge_generations_command
from codefront.harness.judge.judge import JudgeOptions, judge
from codefront.harness.loaders import (
    BUILTIN,
    LCB_NAME,
    Loaded,
    ProblemLoadError,
    describe_formats,
    load_problems,
)
from codefront.harness.models.cli import models_command, serve_command
from codefront.harness.models.errors import ModelError
from codefront.harness.problems import DEFAULT_LEVELS
from codefront.harness.report.cli import report_command
from codefront.harness.run import DEFAULT_DB, RunConfig
from codefront.harness.selection import (
    DifficultyOption,
    LimitOption,
    PlatformOption,
    ProblemsOption,
    Selection,
    SinceOption,
    UntilOption,
)
from codefront.harness.show import show_command
from codefront.harness.sweep import Sweep, names, run_sweep, summary_table, sweep_from_yaml
from codefront.sandbox import BACKENDS, backend_named, check_backend
from codefront.sandbox.cli import sandbox_app
from codefront.training.cli import merge_command
from codefront.training.pipeline import pipeline_command
from codefront.training.train_cli import train_command

APP_HELP = """Evaluate code-RL checkpoints: generate programs with a model (reasoning, tool-use or agentic
mode), judge them on hidden tests split into nested coverage levels, and report solve rates,
correctness vs efficiency failures and pass@k per checkpoint. Also trains coverage-level GRPO
checkpoints and merges them by weight averaging.

Start with: harness run --mode reasoning --model smollm2-135m, then harness report."""

app = typer.Typer(no_args_is_help=True, add_completion=False, help=APP_HELP)
app.command("merge")(merge_command)
app.command("models")(models_command)
app.command("serve")(serve_command)
app.command("show")(show_command)
app.command("train")(train_command)
app.command("pipeline")(pipeline_command)
app.add_typer(sandbox_app, name="sandbox")
console = Console()
err_console = Console(stderr=True, soft_wrap=True)
MODE_HELP = "; ".join(f"{spec.name}: {spec.summary}" for spec in MODES.values()) + "."
SANDBOX_NAMES = " or ".join(BACKENDS)
DATASET_HELP = (
    f"'{BUILTIN}', '{LCB_NAME}' or '{LCB_NAME}:release_vN' (LiveCodeBench from the hub), a problem file "
    f"or a folder of them; formats: {describe_formats()}."
)


@app.callback()
def _root() -> None:
    """Evaluate code-RL checkpoints: judge, run modes, train, merge, report."""


def fail(message: str) -> typer.Exit:
    """Print a one-line error and return the exit to raise."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(2)


@app.command("run")
def run_command(
    model: Annotated[
        str | None, typer.Option(help="Names from the model registry (`harness models`), comma-separated.")
    ] = None,
    mode: Annotated[str, typer.Option(help=MODE_HELP + " Comma-separated for several.")] = "reasoning",
    config: Annotated[
        Path | None, typer.Option(help="A sweep file (YAML) instead of the flags: models, modes, dataset...")
    ] = None,
    dataset: Annotated[str, typer.Option(help=DATASET_HELP)] = BUILTIN,
    limit: LimitOption = None,
    problems: ProblemsOption = None,
    difficulty: DifficultyOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    platform: PlatformOption = None,
    samples: Annotated[int, typer.Option(help="Samples per problem.")] = 1,
    levels: Annotated[int, typer.Option(help="Nested coverage levels.")] = DEFAULT_LEVELS,
    concurrency: Annotated[
        int | None,
        typer.Option(
            help="Model requests in flight per (model, mode); default, and bound over all its modes: "
            "the model's `concurrency` (models.yaml)."
        ),
    ] = None,
    sandbox: Annotated[
        str | None,
        typer.Option(
            help=f"{SANDBOX_NAMES} (default: $CODEFRONT_SANDBOX, else the mode's: "
            + ", ".join(f"{spec.name} {spec.default_sandbox}" for spec in MODES.values())
            + ")."
        ),
    ] = None,
    db: Annotated[Path, typer.Option(help="SQLite results store.")] = DEFAULT_DB,
    max_steps: Annotated[
        int, typer.Option(help="Tool calls (tool) or model turns (agentic).")
    ] = Budgets.max_steps,
    max_tokens: Annotated[int, typer.Option(help="Completion tokens per episode.")] = Budgets.max_tokens,
    wall_time: Annotated[float, typer.Option(help="Seconds per episode.")] = Budgets.wall_time_s,
    limits: LimitsOption = None,
    executor: Annotated[
        str | None, typer.Option(help="Where work runs: 'local' (this process, the default) or 'ray'.")
    ] = None,
    ray_address: Annotated[
        str | None,
        typer.Option(help="With --executor ray: the cluster (default $RAY_ADDRESS, else a new local Ray)."),
    ] = None,
) -> None:
    """Evaluate models on problems in modes (every pair); re-running the same command resumes."""
    for name, value in (
        ("--samples", samples),
        ("--levels", levels),
        ("--concurrency", 1 if concurrency is None else concurrency),
    ):
        if value < 1:
            raise fail(f"{name} must be at least 1, got {value}")
    budgets = Budgets(max_steps=max_steps, max_tokens=max_tokens, wall_time_s=wall_time)
    try:
        if config is not None:
            if model is not None:
                raise ValueError("give --model/--mode or --config, not both")
            sweep = sweep_from_yaml(config)
            sweep = replace(
                sweep, executor=executor or sweep.executor, ray_address=ray_address or sweep.ray_address
            )
        else:
            if model is None:
                raise ValueError("give --model NAME[,NAME...] (or --config sweep.yaml)")
            selection = Selection.parse(problems, difficulty, platform, since, until, limit)
            base = RunConfig(model="", dataset=dataset, selection=selection, samples=samples, levels=levels,
                             concurrency=concurrency, sandbox=sandbox, db=db, budgets=budgets, limits=limits)  # fmt: skip
            sweep = Sweep(names(model), names(mode), base, executor or "local", ray_address)
        if sweep.base.sandbox is not None:
            check_backend(sweep.base.sandbox, "--sandbox")
        result = asyncio.run(run_sweep(sweep, console))
    except (OSError, ValueError, ModelError, ProblemLoadError) as e:
        raise fail(str(e)) from None
    if len(result.pairs) > 1:
        console.print(summary_table(result))
    for (kind, node), count in sorted(result.by_node.items()):
        console.print(f"{kind}s on node {node[:12]}: {count}", highlight=False)
    store = sweep.base.db
    console.print(
        f"{len(result.samples)} samples stored in {store}; `harness report --db {store}` summarizes them"
    )


@app.command("judge")
def judge_command(
    problems: Annotated[str, typer.Option(help=DATASET_HELP)],
    problem: Annotated[
        str | None, typer.Option(help="Problem id (with --generations: comma-separated ids to keep).")
    ] = None,
    code: Annotated[Path | None, typer.Option(help="Python file with the submission.")] = None,
    generations: Annotated[
        Path | None,
        typer.Option(help="Generations made elsewhere: LiveCodeBench's JSON list, or JSONL of problem+code."),
    ] = None,
    skip_unknown: Annotated[
        bool, typer.Option("--skip-unknown", help="Skip generations for problems the dataset lacks.")
    ] = False,
    db: Annotated[
        Path | None, typer.Option(help="With --generations: store them in this results store.")
    ] = None,
    model: Annotated[str | None, typer.Option(help="With --db: the name they are stored under.")] = None,
    difficulty: DifficultyOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    platform: PlatformOption = None,
    limit: LimitOption = None,
    time_limit: Annotated[
        float | None, typer.Option(help="CPU seconds per test (overrides the problem).")
    ] = None,
    memory_limit: Annotated[int | None, typer.Option(help="MB per test (overrides the problem).")] = None,
    levels: Annotated[int, typer.Option(help="Nested coverage levels.")] = DEFAULT_LEVELS,
    all_tests: Annotated[
        bool, typer.Option("--all-tests", help="Run every test, not just to the first failure.")
    ] = False,
    isolation: Annotated[
        str,
        typer.Option(help="'submission': one process runs all tests (as LeetCode); 'test': one each."),
    ] = "submission",
    sandbox: Annotated[
        str | None, typer.Option(help=f"{SANDBOX_NAMES} (default: $CODEFRONT_SANDBOX, else local).")
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Stop at the first malformed problem.")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object (per generation with --generations).")
    ] = False,
    limits: LimitsOption = None,
) -> None:
    """Judge one submission (--problem, --code), or a file of generations, against hidden tests."""
    if isolation not in ("submission", "test"):
        raise fail(f"--isolation must be 'submission' or 'test', got {isolation!r}")
    if levels < 1:
        raise fail(f"--levels must be at least 1, got {levels}")
    if time_limit is not None and time_limit <= 0:
        raise fail(f"--time-limit must be positive, got {time_limit}")
    if memory_limit is not None and memory_limit <= 0:
        raise fail(f"--memory-limit must be positive, got {memory_limit}")
    if (generations is None) == (code is None) or (code is not None and problem is None):
        raise fail("give --problem ID --code FILE, or --generations FILE")
    if (db is None) != (model is None):
        raise fail(
            "--db and --model go together: the store, and the model name the generations are stored as"
        )
    options = JudgeOptions(
        levels=levels,
        all_tests=all_tests,
        time_limit_s=time_limit,
        memory_limit_mb=memory_limit,
        isolation=isolation,
    )
    try:
        loaded = load_problems(problems, strict)
        if limits is not None:
            loaded = Loaded(apply_limits(loaded.problems, load_limits(limits)), loaded.errors)
        backend = backend_named(sandbox)
        if generations is not None:
            selection = Selection.parse(problem, difficulty, platform, since, until, limit)
            request = GenerationsRequest(generations, selection, skip_unknown, db, model)
            return judge_generations_command(loaded, problems, request, backend, options, as_json)
        source = code.read_text()
    except (OSError, ProblemLoadError, ValueError) as e:
        raise fail(str(e)) from None
    for error in loaded.errors:
        err_console.print(f"[yellow]skipped:[/] {error}", highlight=False)
    found = next((p for p in loaded.problems if p.id == problem), None)
    if found is None:
        raise fail(f"{problems}: no problem with id {problem!r}")
    result = judge(found, source, backend, options)
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict()) + "\n")
    else:
        print_result(result)


def print_result(result) -> None:
    """A judged submission as a table of its tests, then its totals."""
    coverage = f"coverage {result.coverage}/{result.levels}"
    table = Table(title=f"{result.problem}: {result.verdict} ({result.outcome}), {coverage}")
    for column in ("test", "level", "input bytes", "verdict", "CPU s", "memory MB", "detail"):
        table.add_column(column)
    for t in result.tests:
        table.add_row(
            str(t.index),
            str(t.level),
            str(t.input_bytes),
            t.verdict,
            f"{t.time_s:.3f}",
            f"{t.memory_mb:.1f}",
            t.detail,
        )
    console.print(table)
    console.print(f"passed {result.passed}/{result.total}" + (f" - {result.detail}" if result.detail else ""))


app.command("report")(report_command)
app.command("calibrate")(calibrate_command)
