"""`harness calibrate`: the command's side of harness/calibrate.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from codefront.harness.calibrate import calibrate
from codefront.harness.loaders import BUILTIN, ProblemLoadError, load_problems
from codefront.harness.selection import (
    DifficultyOption,
    LimitOption,
    PlatformOption,
    Selection,
    SinceOption,
    UntilOption,
    select,
)
from codefront.sandbox import backend_named

LimitsOption = Annotated[
    Path | None,
    typer.Option(help="Calibrated time limits from `harness calibrate` (replace the problems' own)."),
]
console = Console()
err_console = Console(stderr=True, soft_wrap=True)


def calibrate_command(
    problems: Annotated[
        str, typer.Option(help="'builtin', a problem file or a folder (see harness run --help).")
    ],
    out: Annotated[Path, typer.Option(help="The limits file to write (JSON).")],
    references: Annotated[
        Path | None, typer.Option(help="A folder of reference solutions: <id>.py or <id>/*.py.")
    ] = None,
    factor: Annotated[float, typer.Option(help="Limit = factor × the slowest reference test.")] = 3.0,
    floor: Annotated[float, typer.Option(help="No limit below this many CPU seconds.")] = 1.0,
    runs: Annotated[int, typer.Option(help="Times each reference runs.")] = 3,
    ids: Annotated[str | None, typer.Option("--problem", help="Comma-separated problem ids.")] = None,
    difficulty: DifficultyOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    platform: PlatformOption = None,
    limit: LimitOption = None,
    sandbox: Annotated[
        str | None, typer.Option(help="local or docker (default: $CODEFRONT_SANDBOX, else local).")
    ] = None,
) -> None:
    """Per-problem time limits from this machine's timing of the reference solutions, for --limits."""
    try:
        if factor <= 0 or floor <= 0 or runs < 1:
            raise ValueError("--factor and --floor must be positive and --runs at least 1")
        loaded = load_problems(problems)
        chosen = select(
            loaded.problems, Selection.parse(ids, difficulty, platform, since, until, limit), problems
        )
        result = calibrate(
            chosen, backend_named(sandbox), factor, floor, runs, references, problems == BUILTIN
        )
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result.to_dict(), indent=2) + "\n")
    except (OSError, ValueError, ProblemLoadError) as e:
        err_console.print(f"[bold red]error:[/] {e}", highlight=False)
        raise typer.Exit(2) from None
    for pid, why in result.bad.items():
        err_console.print(f"[red]bad data:[/] {pid}: {why}", highlight=False)
    if result.without_references:
        err_console.print(
            f"[yellow]no references:[/] {', '.join(result.without_references)}", highlight=False
        )
    console.print(
        f"{len(result.limits)} limits (×{factor}, floor {floor} s) written to {out}", highlight=False
    )
