"""`harness merge`: weight averaging between a low- and a high-coverage checkpoint."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console

from codefront.harness.models.registry import inherited_settings, load_registry, register_local_checkpoint
from codefront.training.merge import MergeError, merge, merge_grid, parse_alpha, parse_alpha_grid

console = Console()


def checkpoint_dir(name_or_dir: str) -> Path:
    """A path (anything with a slash, or an existing directory) as given; else a registry name."""
    path = Path(name_or_dir)
    if "/" in name_or_dir or path.is_dir():
        return path
    return load_registry().get(name_or_dir).checkpoint_dir()


@dataclass(frozen=True)
class MergeConfig:
    """Two checkpoints and the alphas to write between (and beyond) them."""

    low: str
    """Low-coverage checkpoint (alpha 0): a registry name or a directory."""
    high: str
    """High-coverage checkpoint (alpha 1): a registry name or a directory."""
    out: Path
    """Output directory; with several alphas, the parent of one alpha<X> directory each."""
    alpha: tuple[str, ...] = field(default=(), metadata={"metavar": "X"})
    """Repeatable; outside [0, 1] extrapolates, e.g. 1.5."""
    alphas: str | None = field(default=None, metadata={"metavar": "START:STOP:STEP"})
    """Grid; stop included when on the grid: -0.5:2.0:0.25."""
    dtype: str | None = None
    """float32, bfloat16 or float16 (default: the inputs')."""


def merge_command(config: MergeConfig) -> None:
    """Write (1 - alpha) * low + alpha * high and register each result under its directory name."""
    low_dir, high_dir = checkpoint_dir(config.low), checkpoint_dir(config.high)
    values = [parse_alpha(a) for a in config.alpha] + (
        parse_alpha_grid(config.alphas) if config.alphas else []
    )
    if not values:
        raise MergeError("give --alpha X (repeatable) or --alphas start:stop:step")
    if len(values) == 1 and not config.alphas:
        results = iter([merge(low_dir, high_dir, values[0], config.out, config.dtype)])
    else:
        results = merge_grid(low_dir, high_dir, values, config.out, config.dtype)
    settings = inherited_settings(config.low)
    for result in results:
        register_local_checkpoint(result.name, result.path, result.record, settings=settings)
        console.print(f"{result.name}: {result.path}", highlight=False, soft_wrap=True)
