"""Trained checkpoints, shared by `harness train` and `harness pipeline`: the base a command names,
training one level and registering it by name, and the table of what was trained."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.table import Table

from codefront.harness.models.registry import inherited_settings, load_registry, register_local_checkpoint
from codefront.training.config import TrainSpec

if TYPE_CHECKING:
    # torch and TRL take seconds to import: only a command that trains loads them.
    from codefront.training.grpo import Trained


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
