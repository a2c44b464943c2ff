"""`harness pipeline`: the whole loop from one base. Train cov1 and covL, merge a grid of alphas
between them, then evaluate every checkpoint (the base, cov1, covL and each merge) in the modes asked
for on the held-out problems, so the report has a frontier point per checkpoint and an alpha curve.

Each stage reuses what an identical earlier command finished: trained levels, merges of the same
two checkpoints, and the results store's finished samples. On the built-in suite the pipeline trains
and evaluates on the starter tier by default: the embedded model's reward is 0 on every harder
problem, so GRPO would have nothing to learn from there.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from codefront.harness.loaders import ProblemLoadError
from codefront.harness.models.errors import ModelError
from codefront.harness.models.provenance import weights_hash
from codefront.harness.models.registry import inherited_settings, load_registry, register_local_checkpoint
from codefront.harness.problems import DEFAULT_LEVELS
from codefront.harness.run import DEFAULT_DB, RunConfig
from codefront.harness.selection import DifficultyOption, Selection
from codefront.training.data import training_problems
from codefront.training.merge import MergeError, MergeResult, alpha_name, merge_grid, parse_alpha_grid
from codefront.training.pipeline_eval import Made, evaluate_groups, group_lines, weight_groups
from codefront.training.presets import PRESETS, preset_named
from codefront.training.train_cli import resolve_base, summary_table, train_and_register

MODES = ("reasoning", "tool", "agentic")
BUILTIN_DIFFICULTY = "starter"
"""The built-in suite's tier where the embedded model is sometimes right, so GRPO has signal."""
EVAL_SAMPLES = 3
"""A few samples per problem: the starter tier holds out two problems, and one sample each cannot
tell checkpoints apart."""
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
    modes: Annotated[str, typer.Option(help="Comma-separated modes to evaluate in.")] = ",".join(MODES),
    dataset: Annotated[
        str, typer.Option(help="'builtin', a native problem file, an LCB .jsonl or a folder.")
    ] = "builtin",
    difficulty: DifficultyOption = None,
    eval_limit: Annotated[int | None, typer.Option(help="Evaluate on the first K held-out problems.")] = None,
    samples: Annotated[
        int, typer.Option(help="Samples per held-out problem, checkpoint and mode.", min=1)
    ] = EVAL_SAMPLES,
    sandbox: Annotated[str, typer.Option(help="local or docker.")] = "local",
    seed: Annotated[int, typer.Option(help="cov1's training seed; covL trains with seed + L - 1.")] = 0,
    db: Annotated[Path, typer.Option(help="SQLite results store.")] = DEFAULT_DB,
) -> None:
    """Train cov1 and covL, merge alphas between them, evaluate every checkpoint in each mode.
    On the built-in suite, --difficulty defaults to the starter tier ('all' for every problem)."""
    try:
        if levels < 2:
            raise ValueError(f"--levels must be at least 2, so that cov1 and covL differ; got {levels}")
        grid = parse_alpha_grid(alphas)
        chosen_modes = [m.strip() for m in modes.split(",") if m.strip()]
        unknown = sorted(set(chosen_modes) - set(MODES))
        if unknown or not chosen_modes:
            raise ValueError(f"--modes: choose among {', '.join(MODES)}")
        chosen = (
            preset_named(preset) if max_steps is None else replace(preset_named(preset), max_steps=max_steps)
        )
        selection = Selection.parse(difficulty=pipeline_difficulty(dataset, difficulty))
        held_out = [p.id for p in training_problems(dataset, selection=selection).eval][:eval_limit]
        if not held_out:
            raise ValueError(f"{dataset}: no held-out problems to evaluate on")

        base_name, base_dir = resolve_base(base)
        from codefront.training.grpo import TrainSpec  # torch and TRL: seconds to import

        trained = []
        for level in sorted({1, levels}):
            name = f"cov{level}"
            console.print(f"[bold]train[/] {name}: coverage level {level}/{levels} from {base_name}")
            spec = TrainSpec(base_dir, base_name, level, levels, out / name, chosen, dataset, sandbox=sandbox,
                             seed=level_seed(seed, level), selection=selection)  # fmt: skip
            trained.append((name, train_and_register(spec, name)))
        console.print(summary_table(trained))

        low, high = trained[0][1].path, trained[-1][1].path
        if weights_hash(low) == weights_hash(high):
            console.print(
                f"[yellow]warning:[/] {low.name} and {high.name} have the same weights: no group at either level "
                "differed in reward, so neither moved from the base (try more --max-steps)"
            )
        console.print(f"[bold]merge[/] {low.name} -> {high.name} at alphas {', '.join(map(str, grid))}")
        for result in merge_all(low, high, grid, out / "merges", inherited_settings(trained[0][0])):
            console.print(f"  {result.name}: {result.path}", highlight=False)

        made = [Made(evaluated_base(base_name, base_dir))] + [Made(name) for name, _ in trained]
        made += [Made(alpha_name(a), {0.0: low.name, 1.0: high.name}.get(a)) for a in grid]
        groups = weight_groups(made, load_registry())
        config = RunConfig(model="", dataset=dataset, selection=Selection(problems=tuple(held_out)),
                           samples=samples, sandbox=sandbox, db=db)  # fmt: skip
        console.print(f"[bold]evaluate[/] {len(groups)} checkpoints on {len(held_out)} held-out problems: "
                      f"{', '.join(chosen_modes)}, {samples} samples each")  # fmt: skip
        for line in group_lines(groups):
            console.print(f"  {line}", highlight=False)
        asyncio.run(evaluate_groups(config, chosen_modes, groups, console))
    except (ValueError, ModelError, MergeError, ProblemLoadError, OSError) as e:
        err_console.print(f"[bold red]error:[/] {e}", highlight=False)
        raise typer.Exit(2) from None
    console.print(f"done: `harness report --db {db}` compares the checkpoints")


def level_seed(seed: int, level: int) -> int:
    """Each level its own seed, so the levels sample different prompts and completions. On one seed a
    small model's levels see the same groups, and when every completion that passes level 1 passes
    them all (or fails them all) both levels learn the same update: cov1 and covL, and every merge
    between them, come out the same weights."""
    return seed + level - 1


def pipeline_difficulty(dataset: str, difficulty: str | None) -> str | None:
    """The difficulties to train and evaluate on: as given ('all': every one), else the starter tier
    on the built-in suite and every difficulty elsewhere."""
    if difficulty == "all":
        return None
    if difficulty is None and dataset == "builtin":
        return BUILTIN_DIFFICULTY
    return difficulty


def evaluated_base(base_name: str, base_dir: Path) -> str:
    """The base's registry name; a base given as a directory is registered under its folder's name."""
    if base_name in load_registry():
        return base_name
    register_local_checkpoint(base_dir.name, base_dir, {})
    return base_dir.name


def merge_all(
    low: Path, high: Path, alphas: list[float], root: Path, settings: dict[str, Any]
) -> list[MergeResult]:
    """Merge and register every alpha (with `settings`, the low checkpoint's), reusing merges of these
    same two checkpoints already in `root`."""
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
        register_local_checkpoint(result.name, result.path, result.record, settings=settings)
    return results
