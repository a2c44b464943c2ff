"""`harness pipeline`: the command's side of training/pipeline.py."""

from __future__ import annotations

from rich.console import Console

from codefront.training.pipeline import PipelineConfig, run_pipeline

console = Console()


def pipeline_command(config: PipelineConfig) -> None:
    """Train cov1 and covL, merge alphas between them, evaluate every checkpoint in each mode.
    On the built-in suite, --difficulty defaults to the starter tier ('all' for every problem)."""
    run_pipeline(config, console)
    console.print(f"done: `harness report --db {config.db}` compares the checkpoints", highlight=False)
