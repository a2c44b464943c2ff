"""`harness run`: the command's side of harness/eval/run.py."""

from __future__ import annotations

import asyncio

import typer
from rich.console import Console

from codefront.harness.eval.config import RunConfig
from codefront.harness.eval.progress import summary_table
from codefront.harness.eval.run import run

console = Console()
err_console = Console(stderr=True, soft_wrap=True)


def run_command(config: RunConfig) -> None:
    """Evaluate models on problems in modes (every pair); running the same configuration again resumes
    it. Exit status 1 when every sample it made is an infra error (nothing was evaluated)."""
    result = asyncio.run(run(config, console))
    if len(result.pairs) > 1:
        console.print(summary_table(result.pairs))
    for (kind, node), count in sorted(result.by_node.items()):
        console.print(f"{kind}s on node {node[:12]}: {count}", highlight=False)
    db = config.db
    console.print(f"{len(result.samples)} samples stored in {db}; `harness report --db {db}` summarizes them",
                  highlight=False)  # fmt: skip
    failed = [s.attempt.infra_error for s in result.samples if s.attempt.infra_error]
    if failed:
        err_console.print(f"[yellow]{len(failed)} of them are infra errors[/] (never charged to the model; the "
                          f"same command retries them), the first: {failed[0]}", highlight=False)  # fmt: skip
    if failed and len(failed) == len(result.samples):
        raise typer.Exit(1)
