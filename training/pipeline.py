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
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from rich.console import Console

from codefront.harness.eval.config import RunConfig
from codefront.harness.models.provenance import weights_hash
from codefront.harness.models.registry import inherited_settings, load_registry, register_local_checkpoint
from codefront.harness.problems.dataset import BUILTIN
from codefront.harness.problems.selection import Selection
from codefront.harness.results.store import DEFAULT_DB
from codefront.records import DEFAULT_LEVELS
from codefront.sandbox import check_backend
from codefront.training.checkpoints import resolve_base, summary_table, train_and_register
from codefront.training.config import TrainSpec
from codefront.training.data import training_problems
from codefront.training.merge import MergeResult, alpha_name, merge_grid, parse_alpha_grid
from codefront.training.pipeline_eval import Made, evaluate_groups, group_lines, weight_groups
from codefront.training.presets import PRESETS, preset_named

MODES = ("reasoning", "tool", "agentic")
BUILTIN_DIFFICULTY = "starter"
"""The built-in suite's tier where the embedded model is sometimes right, so GRPO has signal."""
EVAL_SAMPLES = 3
"""A few samples per problem: the starter tier holds out two problems, and one sample each cannot
tell checkpoints apart."""


@dataclass(frozen=True)
class PipelineConfig:
    """One base, two coverage levels, a grid of merges between them, evaluated in each mode."""

    base: str = "smollm2-135m"
    """A registry name or a checkpoint directory."""
    out: Path = Path("runs/pipeline")
    """Checkpoints (cov1, covL) and merges/ go here."""
    levels: int = DEFAULT_LEVELS
    """Ladder levels L: trains cov1 and covL."""
    preset: str = field(default="cpu-tiny", metadata={"metavar": "|".join(PRESETS)})
    """The GRPO settings: cpu-tiny (a smoke run on this machine) or gpu."""
    max_steps: int | None = None
    """Optimizer steps per level (default: the preset's)."""
    alphas: str = field(default="0:1.5:0.5", metadata={"metavar": "START:STOP:STEP"})
    """Merge grid (stop included)."""
    modes: tuple[str, ...] = MODES
    """Modes to evaluate in."""
    dataset: str = BUILTIN
    """'builtin', a problem file, an LCB .jsonl or a folder."""
    difficulty: tuple[str, ...] = ()
    """Difficulties to train and evaluate on: on the built-in suite the starter tier unless given
    ('all': every one), elsewhere every one unless given."""
    eval_limit: int | None = None
    """Evaluate on the first K held-out problems."""
    samples: int = EVAL_SAMPLES
    """Samples per held-out problem, checkpoint and mode."""
    sandbox: str = "local"
    """local or docker."""
    seed: int = 0
    """cov1's training seed (covL trains with seed + L - 1) and the evaluation's sampling seed."""
    db: Path = DEFAULT_DB
    """The results store (SQLite)."""

    def __post_init__(self) -> None:
        if self.levels < 2:
            raise ValueError(f"--levels must be at least 2, so that cov1 and covL differ; got {self.levels}")
        if not self.modes or set(self.modes) - set(MODES):
            raise ValueError(f"--modes: choose among {', '.join(MODES)}")
        if self.samples < 1:
            raise ValueError(f"--samples must be at least 1, got {self.samples}")
        parse_alpha_grid(self.alphas)
        preset_named(self.preset)
        check_backend(self.sandbox)

    def selection(self) -> Selection:
        """The difficulties to train and evaluate on."""
        if self.difficulty == ("all",):
            return Selection()
        if not self.difficulty and self.dataset == BUILTIN:
            return Selection(difficulty=(BUILTIN_DIFFICULTY,))
        return Selection(difficulty=self.difficulty)


def run_pipeline(config: PipelineConfig, console: Console) -> None:
    """Train cov1 and covL, merge alphas between them, evaluate every checkpoint in each mode."""
    held_out = [p.id for p in training_problems(config.dataset, selection=config.selection()).eval]
    held_out = held_out[: config.eval_limit]
    if not held_out:
        raise ValueError(f"{config.dataset}: no held-out problems to evaluate on")
    base_name, base_dir = resolve_base(config.base)
    trained = train_levels(config, base_name, base_dir, console)
    low, high = trained[0][1].path, trained[-1][1].path
    if weights_hash(low) == weights_hash(high):
        console.print(
            f"[yellow]warning:[/] {low.name} and {high.name} have the same weights: no group at either level "
            "differed in reward, so neither moved from the base (try more --max-steps)"
        )
    grid = parse_alpha_grid(config.alphas)
    console.print(f"[bold]merge[/] {low.name} -> {high.name} at alphas {', '.join(map(str, grid))}")
    for result in merge_all(low, high, grid, config.out / "merges", inherited_settings(trained[0][0])):
        console.print(f"  {result.name}: {result.path}", highlight=False)
    made = [Made(evaluated_base(base_name, base_dir))] + [Made(name) for name, _ in trained]
    made += [Made(alpha_name(a), {0.0: low.name, 1.0: high.name}.get(a)) for a in grid]
    groups = weight_groups(made, load_registry())
    evaluation = RunConfig(models=tuple(names[0] for names in groups), modes=config.modes, dataset=config.dataset,
                           selection=Selection(problems=tuple(held_out)), samples=config.samples,
                           seed=config.seed, sandbox=config.sandbox, db=config.db)  # fmt: skip
    console.print(f"[bold]evaluate[/] {len(groups)} checkpoints on {len(held_out)} held-out problems: "
                  f"{', '.join(config.modes)}, {config.samples} samples each")  # fmt: skip
    for line in group_lines(groups):
        console.print(f"  {line}", highlight=False)
    asyncio.run(evaluate_groups(evaluation, groups, console))


def train_levels(config: PipelineConfig, base_name: str, base_dir: Path, console: Console) -> list:
    """cov1 and covL, each with its own seed."""
    preset = preset_named(config.preset)
    if config.max_steps is not None:
        preset = replace(preset, max_steps=config.max_steps)
    trained = []
    for level in sorted({1, config.levels}):
        name = f"cov{level}"
        console.print(f"[bold]train[/] {name}: coverage level {level}/{config.levels} from {base_name}")
        spec = TrainSpec(base_dir, base_name, level, config.levels, config.out / name, preset, config.dataset,
                         sandbox=config.sandbox, seed=level_seed(config.seed, level), selection=config.selection())  # fmt: skip
        trained.append((name, train_and_register(spec, name)))
    console.print(summary_table(trained))
    return trained


def level_seed(seed: int, level: int) -> int:
    """Each level its own seed, so the levels sample different prompts and completions. On one seed a
    small model's levels see the same groups, and when every completion that passes level 1 passes
    them all (or fails them all) both levels learn the same update: cov1 and covL, and every merge
    between them, come out the same weights."""
    return seed + level - 1


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
