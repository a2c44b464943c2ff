"""`harness show`: one stored sample, readable in the terminal."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console

from codefront.harness.results.show import render
from codefront.harness.results.store import DEFAULT_DB, Store


@dataclass(frozen=True)
class ShowConfig:
    """Which sample of which store."""

    run_or_model: str = field(metadata={"argument": True})
    """A run id or a model name."""
    problem: str = field(metadata={"argument": True})
    """Problem id."""
    sample: int = field(default=0, metadata={"argument": True})
    """Sample index."""
    db: Path = DEFAULT_DB
    """The results store (SQLite)."""


def show_command(config: ShowConfig) -> None:
    """Print one sample's trajectory: messages, tool calls and results, timings, the judged code."""
    if not config.db.exists():
        raise ValueError(f"no results store at {config.db}")
    with Store(config.db) as store:
        found = [s for s in store.samples(problem=config.problem, index=config.sample)
                 if config.run_or_model in (s.run_id, s.model)]  # fmt: skip
    if not found:
        raise ValueError(f"no sample {config.sample} of {config.problem!r} for a run or model named "
                         f"{config.run_or_model!r} in {config.db}")  # fmt: skip
    console = Console()
    for s in found:
        console.print(render(s))
