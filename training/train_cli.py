"""`harness train`: coverage-level GRPO checkpoints (cov1 ... covL), registered by name."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from codefront.harness.calibrate import load_limits
from codefront.harness.calibrate_cli import LimitsOption
from codefront.harness.executors import check_executor
from codefront.harness.models.errors import ModelError
from codefront.harness.models.registry import inherited_settings, load_registry, register_local_checkpoint
from codefront.harness.problems import DEFAULT_LEVELS
from codefront.harness.selection import (
    DifficultyOption,
    LimitOption,
    PlatformOption,
    ProblemsOption,
    Selection,
    SinceOption,
    UntilOption,
)
from codefront.training.presets import PRESETS, preset_named

if TYPE_CHECKING:
    # torch and TRL take seconds to import: only a command that trains loads them.
    from codefront.training.grpo import Trained, TrainSpec

console = Console()
err_console = Console(stderr=True, soft_wrap=True)


def resolve_base(model: str) -> tuple[str, Path]:
    """(name, checkpoint directory) of a registry name or a checkpoint directory."""
    path = Path(model).expanduser()
    if (path / "config.json").is_file():
        return model, path.resolve()
    return model, load_registry().get(model).checkpoint_dir()


def train_and_register(spec: TrainSpec, name: str) -> Trained:
    from codefront.training.grpo import train

    trained = train(spec)
    if trained.is_main_process:
        register_local_checkpoint(
            name, trained.path, trained.provenance(), settings=inherited_settings(spec.base_name)
        )
    return trained


def train_command(
    base: Annotated[str, typer.Option(help="A registry name (smollm2-135m) or a checkpoint directory.")],
    out: Annotated[Path, typer.Option(help="Where the checkpoints go: one directory per level, cov<c>.")],
    coverage_level: Annotated[
        int | None, typer.Option(help="Train this level only: reward for passing levels 1..c.")
    ] = None,
    sweep: Annotated[
        int | None, typer.Option(help="Train levels 1..L from the same base, as cov1 ... covL.")
    ] = None,
    levels: Annotated[
        int | None,
        typer.Option(help=f"Levels in the ladder (default: L with --sweep, else {DEFAULT_LEVELS})."),
    ] = None,
    preset: Annotated[str, typer.Option(help=f"{' or '.join(PRESETS)}.")] = "cpu-tiny",
    max_steps: Annotated[int | None, typer.Option(help="Optimizer steps (default: the preset's).")] = None,
    dataset: Annotated[
        str, typer.Option(help="'builtin', a native problem file, an LCB .jsonl or a folder.")
    ] = "builtin",
    name: Annotated[
        str | None, typer.Option(help="Registry name of a single level's checkpoint (default cov<c>).")
    ] = None,
    holdout: Annotated[
        bool,
        typer.Option(help="Keep the evaluation side of the split (one problem in five) out of training."),
    ] = True,
    partial_credit: Annotated[
        bool, typer.Option("--partial-credit", help="Reward coverage/c instead of all-or-nothing.")
    ] = False,
    sandbox: Annotated[str, typer.Option(help="local or docker: where the reward runs code.")] = "local",
    seed: Annotated[int, typer.Option(help="Sampling and shuffling seed.")] = 0,
    problems: ProblemsOption = None,
    difficulty: DifficultyOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    platform: PlatformOption = None,
    limit: LimitOption = None,
    limits: LimitsOption = None,
    executor: Annotated[
        str, typer.Option(help="Where the reward judges: 'local' (this process) or 'ray' (Ray tasks).")
    ] = "local",
    ray_address: Annotated[
        str | None,
        typer.Option(help="With --executor ray: the cluster (default $RAY_ADDRESS, else a new local Ray)."),
    ] = None,
) -> None:
    """GRPO from one base on the nested-coverage reward; each checkpoint is saved in Hugging Face
    format with a training.json and registered, so `harness merge` and `harness run` take it by name.
    Re-running the same command reuses the levels already finished."""
    try:
        plan = training_plan(coverage_level, sweep, levels, name)
        check_executor(executor)
        selection = Selection.parse(problems, difficulty, platform, since, until, limit)
        calibrated = load_limits(limits) if limits is not None else {}
        chosen = preset_named(preset)
        if max_steps is not None:
            if max_steps < 1:
                raise ValueError(f"--max-steps must be at least 1, got {max_steps}")
            chosen = replace(chosen, max_steps=max_steps)
        base_name, base_dir = resolve_base(base)
        from codefront.training.grpo import TrainSpec  # torch and TRL: only once the options are checked

        finished = []
        for level, level_name, ladder_levels in plan:
            spec = TrainSpec(base_dir, base_name, level, ladder_levels, out / level_name, chosen, dataset,
                             holdout, partial_credit, sandbox, seed, selection, calibrated, executor,
                             ray_address)  # fmt: skip
            console.print(f"training {level_name}: coverage level {level}/{ladder_levels} from {base_name}")
            finished.append((level_name, train_and_register(spec, level_name)))
    except (ValueError, ModelError, OSError) as e:
        err_console.print(f"[bold red]error:[/] {e}", highlight=False)
        raise typer.Exit(2) from None
    if finished and finished[0][1].is_main_process:
        console.print(summary_table(finished))
        console.print(f"checkpoints under {out}", highlight=False)


def training_plan(
    coverage_level: int | None, sweep: int | None, levels: int | None, name: str | None
) -> list[tuple[int, str, int]]:
    """(coverage level, checkpoint name, ladder levels) for each checkpoint to train."""
    if (coverage_level is None) == (sweep is None):
        raise ValueError("give exactly one of --coverage-level c and --sweep L")
    if sweep is not None:
        if name is not None:
            raise ValueError("--name names a single level's checkpoint; a sweep names them cov1 ... covL")
        ladder_levels = levels or sweep
        if not 1 <= sweep <= ladder_levels:
            raise ValueError(f"--sweep {sweep} needs 1 <= L <= --levels ({ladder_levels})")
        return [(c, f"cov{c}", ladder_levels) for c in range(1, sweep + 1)]
    ladder_levels = levels or DEFAULT_LEVELS
    if not 1 <= coverage_level <= ladder_levels:
        raise ValueError(f"--coverage-level {coverage_level} is outside 1..{ladder_levels} (--levels)")
    return [(coverage_level, name or f"cov{coverage_level}", ladder_levels)]


def summary_table(finished: list[tuple[str, Trained]]) -> Table:
    table = Table(title="trained checkpoints (registered by name)")
    for column in ("name", "level", "steps", "mean reward", "mean coverage", "groups with signal", "seconds"):
        table.add_column(column)
    for level_name, t in finished:
        mean = t.record["reward_stats"]["mean"]
        # A group whose completions all score the same has zero advantage: GRPO learns nothing from it.
        signal = f"{1 - mean['frac_reward_zero_std']:.0%}" if "frac_reward_zero_std" in mean else "-"
        seconds = "reused" if t.reused else f"{t.record['seconds']:.0f}"
        table.add_row(level_name, f"{t.record['coverage_level']}/{t.record['levels']}", str(t.record["steps"]),
                      f"{mean.get('reward', 0.0):.3f}", f"{mean.get('judge/coverage', 0.0):.2f}", signal,
                      seconds)  # fmt: skip
    return table
