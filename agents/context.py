"""What every mode receives, and what a mode is (the modes by name are in modes.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from codefront.records import Attempt, Problem
from codefront.sandbox.base import SandboxBackend


@dataclass(frozen=True)
class Budgets:
    """Limits of one tool-use or agentic episode; running out ends it gracefully."""

    max_steps: int = 12
    """Model turns (agentic) or tool calls (tool use) per episode."""
    max_tokens: int = 16000
    """Completion tokens over the whole episode."""
    wall_time_s: float = 300.0
    """Seconds per episode."""
    tool_timeout_s: float = 10.0
    """Seconds per tool call (a Python REPL cell, a shell command)."""
    tool_output_chars: int = 4000
    """A tool's output is cut to this many characters before the model sees it."""

    def __post_init__(self) -> None:
        for name in ("max_steps", "max_tokens", "tool_output_chars"):
            if getattr(self, name) < 1:
                raise ValueError(f"budgets.{name} must be at least 1, got {getattr(self, name)}")
        for name in ("wall_time_s", "tool_timeout_s"):
            if getattr(self, name) <= 0:
                raise ValueError(f"budgets.{name} must be positive, got {getattr(self, name)}")


@dataclass(frozen=True)
class ModeContext:
    client: Any
    """A ChatClient: `await client.chat(messages, tools=None, **request) -> Completion`."""
    sandbox: SandboxBackend
    system_prompt: str | None = None
    tool_protocol: str = "text"
    """`native` OpenAI tool calls, or the `text` protocol for models without a tool-call parser."""
    budgets: Budgets = field(default_factory=Budgets)
    seed: int | None = None
    """This sample's sampling seed, sent with each of its requests (None: the server's own)."""

    async def chat(self, messages: list[dict], tools: list[dict] | None = None) -> Any:
        """One model call of this sample: every mode calls the model through here."""
        if self.seed is None:
            return await self.client.chat(messages, tools=tools)
        return await self.client.chat(messages, tools=tools, seed=self.seed)


Mode = Callable[[Problem, ModeContext], Awaitable[Attempt]]
