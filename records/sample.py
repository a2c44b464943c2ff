"""What the store keeps of one attempt at one problem (Sample), and of the weights that made it (ModelRecord)."""

from __future__ import annotations

from dataclasses import dataclass, field

from codefront.records.attempt import Attempt
from codefront.records.verdicts import JudgeResult


@dataclass(frozen=True)
class Degeneration:
    """Signals that extrapolated weights show first."""

    hit_max_tokens: bool = False
    empty: bool = False
    no_code: bool = False
    loop: bool = False


@dataclass(frozen=True)
class Sample:
    run_id: str
    model: str
    model_key: str
    """Identifies the weights (content hash, alpha, parents...), not just the name."""
    mode: str
    problem: str
    difficulty: str
    index: int
    attempt: Attempt
    result: JudgeResult | None
    """None when the attempt is an infra error: no verdict is charged to the model."""
    degeneration: Degeneration = field(default_factory=Degeneration)


@dataclass(frozen=True)
class ModelRecord:
    """A set of weights the store has samples of, under the name it was run as."""

    key: str
    name: str
    identity: dict
    """The model identity as recorded at run time: weights hash, α, parents, coverage level..."""
