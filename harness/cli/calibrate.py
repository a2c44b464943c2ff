"""`harness calibrate`: the command's side of harness/problems/calibrate.py."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console

from codefront.harness.problems.calibrate import calibrate
from codefront.harness.problems.dataset import BUILTIN, problem_set
from codefront.harness.problems.selection import Selection
from codefront.sandbox import backend_named, check_backend

console = Console()
err_console = Console(stderr=True, soft_wrap=True)


@dataclass(frozen=True)
class CalibrateConfig:
    """Whose references to time, how, and where the limits go."""

    dataset: str = field(metadata={"flag": "--problems"})
    """'builtin', a problem file or a folder (see harness run --help)."""
    out: Path
    """The limits file to write (JSON)."""
    references: Path | None = None
    """A folder of reference solutions: <id>.py or <id>/*.py."""
    factor: float = 3.0
    """Limit = factor × the slowest reference test."""
    floor_s: float = 1.0
    """No limit below this many CPU seconds."""
    runs: int = 3
    """Times each reference runs."""
    selection: Selection = field(default_factory=Selection, metadata={"flags": {"problems": "--problem"}})
    sandbox: str | None = None
    """local or docker (default: $CODEFRONT_SANDBOX, else local)."""

    def __post_init__(self) -> None:
        if self.factor <= 0 or self.floor_s <= 0 or self.runs < 1:
            raise ValueError("--factor and --floor must be positive and --runs at least 1")
        if self.sandbox is not None:
            check_backend(self.sandbox)


def calibrate_command(config: CalibrateConfig) -> None:
    """Per-problem time limits from this machine's timing of the reference solutions, for --limits."""
    problems = problem_set(config.dataset, config.selection).problems
    result = calibrate(problems, backend_named(config.sandbox), config.factor, config.floor_s, config.runs,
                       config.references, config.dataset == BUILTIN)  # fmt: skip
    config.out.parent.mkdir(parents=True, exist_ok=True)
    config.out.write_text(json.dumps(result.to_dict(), indent=2) + "\n")
    for pid, why in result.bad.items():
        err_console.print(f"[red]bad data:[/] {pid}: {why}", highlight=False)
    if result.without_references:
        err_console.print(
            f"[yellow]no references:[/] {', '.join(result.without_references)}", highlight=False
        )
    console.print(f"{len(result.limits)} limits (×{config.factor}, floor {config.floor_s} s) written to {config.out}",
                  highlight=False)  # fmt: skip
