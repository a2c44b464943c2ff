"""What a mode returns: an Attempt, with its trajectory of typed Steps."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Literal


@dataclass(frozen=True)
class Call:
    """A tool call the model asked for."""

    id: str
    name: str
    arguments: str | dict
    """The model's JSON text (native), or the arguments read from a fenced block (text)."""


@dataclass(frozen=True, kw_only=True)
class Step:
    """One entry of an episode's trajectory. `role` tells the kinds apart, on disk as in memory."""

    t_start: float
    """Seconds since the episode began."""
    duration_s: float

    def to_dict(self) -> dict:
        return asdict(self)

    @staticmethod
    def from_dict(data: dict) -> Step:
        kind = STEP_KINDS[data["role"]]
        values = {f.name: data[f.name] for f in fields(kind) if f.init}
        if kind is ModelReply:
            values["tool_calls"] = tuple(Call(**call) for call in values["tool_calls"])
        return kind(**values)


@dataclass(frozen=True, kw_only=True)
class Message(Step):
    """The system prompt, the task, or a message from the harness (the agentic nudge)."""

    role: Literal["system", "user"]
    content: str


@dataclass(frozen=True, kw_only=True)
class ModelReply(Step):
    """One model call: its text, the tools it called, and what it cost. `duration_s` is the call's latency."""

    role: Literal["assistant"] = field(default="assistant", init=False)
    content: str
    tool_calls: tuple[Call, ...] = ()
    finish_reason: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass(frozen=True, kw_only=True)
class ToolRun(Step):
    """One tool call run by the harness."""

    role: Literal["tool"] = field(default="tool", init=False)
    name: str
    call_id: str
    arguments: str | dict
    result: str
    """Capped, exactly as the model saw it."""
    error: bool = False


@dataclass(frozen=True, kw_only=True)
class End(Step):
    """The last step: why the episode ended (the attempt's finish_reason)."""

    role: Literal["end"] = field(default="end", init=False)
    reason: str


STEP_KINDS: dict[str, type[Step]] = {
    "system": Message, "user": Message, "assistant": ModelReply, "tool": ToolRun, "end": End
}  # fmt: skip


@dataclass(frozen=True)
class Attempt:
    """One mode's answer to one problem: the final code, or none with the reason."""

    code: str | None
    completion: str = ""
    """The final model message (reasoning mode: the only one)."""
    no_code_reason: str = ""
    trajectory: tuple[Step, ...] = ()
    """Every message, tool call and (capped) tool result, with timings: tool and agentic modes."""
    prompt: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None
    finish_reason: str = ""
    latency_s: float = 0.0
    infra_error: str = ""
    """Set when the endpoint failed after retries: the sample is retried on resume, never scored."""
