"""`harness run`: the command's side of harness/eval/run.py."""

from __future__ import annotations

import asyncio

from rich.console import Console

from codefront.harness.eval.config import RunConfig
from codefront.harness.eval.progress import summary_table
from codefront.harness.eval.run import run

console = Console()


def run_command(config: RunConfig) -> None:
    """Evaluate models on problems in modes (every pair); running the same configuration again resumes it."""
    result = asyncio.run(run(config, console))
    if len(result.pairs) > 1:
        console.print(summary_table(result.pairs))
    for (kind, node), count in sorted(result.by_node.items()):
        console.print(f"{kind}s on node {node[:12]}: {count}", highlight=False)
    console.print(
        f"{len(result.samples)} samples stored in {config.db}; `harness report --db {config.db}` summarizes them",
        highlight=False,
    )
