"""`harness run`'s configuration: models × modes over the selected problems. A sweep is this same
configuration with several models or modes; every (model, mode) pair is a run of its own."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from codefront.agents.context import Budgets
from codefront.agents.modes import describe_modes, mode_spec
from codefront.harness.executors import check_executor
from codefront.harness.problems.dataset import BUILTIN
from codefront.harness.problems.loaders import describe_formats
from codefront.harness.problems.selection import Selection
from codefront.harness.results.store import DEFAULT_DB
from codefront.records import DEFAULT_LEVELS
from codefront.sandbox import check_backend


@dataclass(frozen=True)
class Pair:
    """One (model, mode) of a run configuration."""

    model: str
    mode: str


@dataclass(frozen=True)
class RunConfig:
    """Every (model, mode) pair over the selected problems, judged on hidden tests and stored as each
    sample finishes; running the same configuration again resumes it."""

    models: tuple[str, ...] = field(default=(), metadata={"flag": "--model"})
    """Names from the model registry (`harness models`)."""
    modes: tuple[str, ...] = field(
        default=("reasoning",), metadata={"flag": "--mode", "help": describe_modes}
    )
    """Inference modes, each (model, mode) pair a run:"""
    dataset: str = field(default=BUILTIN, metadata={"help": describe_formats})
    """'builtin', 'lcb' or 'lcb:release_vN' (LiveCodeBench from the hub), a problem file or a folder;
    formats:"""
    selection: Selection = field(default_factory=Selection)
    samples: int = 1
    """Samples per problem."""
    levels: int = DEFAULT_LEVELS
    """Nested coverage levels."""
    seed: int = 0
    """Sampling seed: each sample's requests carry a seed made from it, the problem and the sample's
    index, so a run samples alike each time and its samples differ."""
    budgets: Budgets = field(default_factory=Budgets)
    limits: Path | None = None
    """Calibrated time limits (`harness calibrate`) replacing the problems' own."""
    concurrency: int | None = None
    """Model requests in flight per (model, mode); default, and bound over all its modes: the
    model's `concurrency` (models.yaml)."""
    sandbox: str | None = None
    """local or docker (default: $CODEFRONT_SANDBOX, else the mode's own: Docker for agentic)."""
    executor: str = "local"
    """Where work runs: 'local' (this process) or 'ray' (a Ray cluster)."""
    ray_address: str | None = None
    """With executor ray: the cluster (default $RAY_ADDRESS, else a new local Ray)."""
    db: Path = DEFAULT_DB
    """The results store (SQLite)."""

    def __post_init__(self) -> None:
        if not self.models:
            raise ValueError("give --model NAME[,NAME...] (or models: in a --config file)")
        if not self.modes:
            raise ValueError("give at least one --mode")
        for mode in self.modes:
            mode_spec(mode)
        for name in ("samples", "levels", "concurrency"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"--{name} must be at least 1, got {value}")
        if self.sandbox is not None:
            check_backend(self.sandbox)
        check_executor(self.executor)

    def pairs(self) -> list[Pair]:
        return [Pair(model, mode) for model in self.models for mode in self.modes]
