"""What a mode returns (Attempt) and what the store keeps (Sample)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from codefront.harness.judge.records import JudgeResult


@dataclass(frozen=True)
class Attempt:
    """One mode's answer to one problem: the final code, or none with the reason."""

    code: str | None
    completion: str = ""
    """The final model message (reasoning mode: the only one)."""
    no_code_reason: str = ""
    trajectory: tuple[dict, ...] = ()
    """Every message, tool call and (capped) tool result, with timings: tool and agentic modes."""
    prompt: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None
    finish_reason: str = ""
    latency_s: float = 0.0
    infra_error: str = ""
    """Set when the endpoint failed after retries: the sample is retried on resume, never scored."""


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

    def to_dict(self) -> dict:
        return asdict(self)
