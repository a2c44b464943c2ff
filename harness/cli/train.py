"""`harness train`: coverage-level GRPO checkpoints (cov1 ... covL), registered by name.

Several GPUs or nodes run the same command through accelerate:
`accelerate launch --config_file training/configs/zero2.yaml -m codefront.harness.cli train ...`."""

from __future__ import annotations

from rich.console import Console

from codefront.harness.problems.calibrate import load_limits
from codefront.training.checkpoints import resolve_base, summary_table, train_and_register
from codefront.training.config import TrainConfig

console = Console()


def train_command(config: TrainConfig) -> None:
    """GRPO from one base on the nested-coverage reward; each checkpoint is saved in Hugging Face
    format with a training.json and registered, so `harness merge` and `harness run` take it by name.
    Re-running the same command reuses the levels already finished."""
    calibrated = load_limits(config.limits) if config.limits is not None else {}
    base_name, base_dir = resolve_base(config.base)
    finished = []
    for level, spec in config.specs(base_name, base_dir, calibrated):
        console.print(
            f"training {level.name}: coverage level {level.coverage_level}/{level.levels} from {base_name}"
        )
        finished.append((level.name, train_and_register(spec, level.name)))
    if finished and finished[0][1].is_main_process:
        console.print(summary_table(finished))
        console.print(f"checkpoints under {config.out}", highlight=False)
