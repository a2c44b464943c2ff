"""`harness merge`: weight averaging between a low- and a high-coverage checkpoint."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from codefront.harness.models.errors import ModelError
from codefront.harness.models.registry import inherited_settings, load_registry, register_local_checkpoint
from codefront.training.merge import MergeError, merge, merge_grid, parse_alpha, parse_alpha_grid

console = Console()
err_console = Console(stderr=True)


def checkpoint_dir(name_or_dir: str) -> Path:
    """A path (anything with a slash, or an existing directory) as given; else a registry name."""
    path = Path(name_or_dir)
    if "/" in name_or_dir or path.is_dir():
        return path
    return load_registry().get(name_or_dir).checkpoint_dir()


def merge_command(
    low: Annotated[
        str, typer.Option(help="Low-coverage checkpoint (alpha 0): a registry name or a directory.")
    ],
    high: Annotated[
        str, typer.Option(help="High-coverage checkpoint (alpha 1): a registry name or a directory.")
    ],
    out: Annotated[
        Path,
        typer.Option(
            help="Output directory; with several alphas, the parent of one alpha<X> directory each."
        ),
    ],
    alpha: Annotated[
        list[str] | None,
        typer.Option("--alpha", metavar="X", help="Repeatable; outside [0, 1] extrapolates, e.g. 1.5."),
    ] = None,
    alphas: Annotated[
        str | None,
        typer.Option(metavar="START:STOP:STEP", help="Grid; stop included when on the grid: -0.5:2.0:0.25."),
    ] = None,
    dtype: Annotated[
        str | None, typer.Option(help="float32, bfloat16 or float16 (default: the inputs').")
    ] = None,
) -> None:
    """Write (1 - alpha) * low + alpha * high and register each result under its directory name."""
    try:
        low_dir, high_dir = checkpoint_dir(low), checkpoint_dir(high)
        values = [parse_alpha(a) for a in alpha or []] + (parse_alpha_grid(alphas) if alphas else [])
        if not values:
            raise MergeError("give --alpha X (repeatable) or --alphas start:stop:step")
        if len(values) == 1 and not alphas:
            results = iter([merge(low_dir, high_dir, values[0], out, dtype)])
        else:
            results = merge_grid(low_dir, high_dir, values, out, dtype)
        settings = inherited_settings(low)
        for result in results:
            register_local_checkpoint(result.name, result.path, result.record, settings=settings)
            console.print(f"{result.name}: {result.path}", highlight=False, soft_wrap=True)
    except (MergeError, ModelError, OSError) as e:
        err_console.print(f"[bold red]error:[/] {e}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
