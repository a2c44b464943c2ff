"""`harness pipeline`: the whole loop from one base. Train cov1 and covL, merge a grid of alphas
between them, then evaluate one merge (alpha1.5 by default) in every mode on the held-out problems.

Each stage reuses what an identical earlier command finished: trained levels, merges of the same
two checkpoints, and the results store's finished samples.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from codefront.harness.loaders import ProblemLoadError
from codefront.harness.models.errors import ModelError
from codefront.harness.models.provenance import weights_hash
from codefront.harness.models.registry import load_registry, register_local_checkpoint
from codefront.harness.models.serve import serving
from codefront.harness.problems import DEFAULT_LEVELS
from codefront.harness.run import DEFAULT_DB, RunConfig, run
from codefront.harness.selection import Selection
from codefront.training.data import training_problems
from codefront.training.merge import (
    MergeError,
    MergeResult,
    alpha_name,
    merge_grid,
    parse_alpha,
    parse_alpha_grid,
)
from codefront.training.presets import PRESETS, preset_named
from codefront.training.train_cli import resolve_base, summary_table, train_and_register

MODES = ("reasoning", "tool", "agentic")
console = Console()
err_console = Console(stderr=True, soft_wrap=True)


def pipeline_command(
    base: Annotated[str, typer.Option(help="A registry name or a checkpoint directory.")] = "smollm2-135m",
    out: Annotated[Path, typer.Option(help="Checkpoints (cov1, covL) and merges/ go here.")] = Path(
        "runs/pipeline"
    ),
    levels: Annotated[int, typer.Option(help="Ladder levels L: trains cov1 and covL.")] = DEFAULT_LEVELS,
    preset: Annotated[str, typer.Option(help=f"{' or '.join(PRESETS)}.")] = "cpu-tiny",
    max_steps: Annotated[
        int | None, typer.Option(help="Optimizer steps per level (default: the preset's).")
    ] = None,
    alphas: Annotated[str, typer.Option(help="Merge grid start:stop:step (stop included).")] = "0:1.5:0.5",
    evaluate: Annotated[float, typer.Option(help="The alpha whose merge is evaluated.")] = 1.5,
    modes: Annotated[str, typer.Option(help="Comma-separated modes to evaluate in.")] = ",".join(MODES),
    dataset: Annotated[
        str, typer.Option(help="'builtin', a native problem file, an LCB .jsonl or a folder.")
    ] = "builtin",
    eval_limit: Annotated[int | None, typer.Option(help="Evaluate on the first K held-out problems.")] = None,
    sandbox: Annotated[str, typer.Option(help="local or docker.")] = "local",
    db: Annotated[Path, typer.Option(help="SQLite results store.")] = DEFAULT_DB,
) -> None:
    """Train cov1 and covL, merge alphas between them, evaluate one merge in the three modes."""
    try:
        if levels < 2:
            raise ValueError(f"--levels must be at least 2, so that cov1 and covL differ; got {levels}")
        grid = parse_alpha_grid(alphas)
        target = parse_alpha(str(evaluate))
        if target not in grid:
            raise ValueError(f"--evaluate {evaluate} is not on the grid {alphas}")
        chosen_modes = [m.strip() for m in modes.split(",") if m.strip()]
        unknown = sorted(set(chosen_modes) - set(MODES))
        if unknown or not chosen_modes:
            raise ValueError(f"--modes: choose among {', '.join(MODES)}")
        chosen = (
            preset_named(preset) if max_steps is None else replace(preset_named(preset), max_steps=max_steps)
        )
        held_out = [p.id for p in training_problems(dataset).eval][:eval_limit]
        if not held_out:
            raise ValueError(f"{dataset}: no held-out problems to evaluate on")

        base_name, base_dir = resolve_base(base)
        from codefront.training.grpo import TrainSpec  # torch and TRL: seconds to import

        trained = []
        for level in sorted({1, levels}):
            name = f"cov{level}"
            console.print(f"[bold]train[/] {name}: coverage level {level}/{levels} from {base_name}")
            spec = TrainSpec(base_dir, base_name, level, levels, out / name, chosen, dataset, sandbox=sandbox)
            trained.append((name, train_and_register(spec, name)))
        console.print(summary_table(trained))

        low, high = trained[0][1].path, trained[-1][1].path
        if weights_hash(low) == weights_hash(high):
            console.print(
                f"[yellow]warning:[/] {low.name} and {high.name} have the same weights: no group of completions "
                "differed in reward, so GRPO had nothing to learn from (try more --max-steps or an easier --dataset)"
            )
        console.print(f"[bold]merge[/] {low.name} -> {high.name} at alphas {', '.join(map(str, grid))}")
        for result in merge_all(low, high, grid, out / "merges"):
            console.print(f"  {result.name}: {result.path}", highlight=False)

        model = alpha_name(target)
        config = RunConfig(model=model, dataset=dataset, selection=Selection(problems=tuple(held_out)),
                           sandbox=sandbox, db=db)  # fmt: skip
        console.print(
            f"[bold]evaluate[/] {model} on {len(held_out)} held-out problems: {', '.join(chosen_modes)}"
        )
        asyncio.run(evaluate_modes(config, chosen_modes))
    except (ValueError, ModelError, MergeError, ProblemLoadError, OSError) as e:
        err_console.print(f"[bold red]error:[/] {e}", highlight=False)
        raise typer.Exit(2) from None
    console.print(f"done: `harness report --db {db}` compares the modes")


def merge_all(low: Path, high: Path, alphas: list[float], root: Path) -> list[MergeResult]:
    """Merge and register every alpha, reusing merges of these same two checkpoints already in `root`."""
    hashes = (weights_hash(low), weights_hash(high))
    results, todo = [], []
    for alpha in alphas:
        path = (root / alpha_name(alpha)).resolve()
        try:
            record = json.loads((path / "merge.json").read_text())
        except FileNotFoundError:
            record = None
        if record and (record.get("low_hash"), record.get("high_hash")) == hashes:
            results.append(MergeResult(path.name, path, record))
        else:
            todo.append(alpha)
    results += list(merge_grid(low, high, todo, root)) if todo else []
    for result in results:
        register_local_checkpoint(result.name, result.path, result.record)
    return results


async def evaluate_modes(config: RunConfig, modes: list[str]) -> None:
    """Every mode against one vLLM server, started once (a mode's run reuses it)."""
    spec = load_registry().get(config.model)
    async with serving(spec):
        for mode in modes:
            samples = await run(replace(config, mode=mode), console)
            console.print(f"  {mode}: {len(samples)} new samples in {config.db}")
