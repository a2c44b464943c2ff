"""What every mode receives, and what a mode is (the modes by name are in modes.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from codefront.harness.problems import Problem
from codefront.harness.records import Attempt
from codefront.sandbox.base import SandboxBackend


@dataclass(frozen=True)
class Budgets:
    """Limits of one tool-use or agentic episode; running out ends it gracefully."""

    max_steps: int = 12
    """Model turns (agentic) or tool calls (tool use)."""
    max_tokens: int = 16000
    """Completion tokens over the whole episode."""
    wall_time_s: float = 300.0
    tool_timeout_s: float = 10.0
    tool_output_chars: int = 4000


@dataclass(frozen=True)
class ModeContext:
    client: Any
    """A ChatClient: `await client.chat(messages, tools=None) -> Completion`."""
    sandbox: SandboxBackend
    system_prompt: str | None = None
    tool_protocol: str = "text"
    """`native` OpenAI tool calls, or the `text` protocol for models without a tool-call parser."""
    budgets: Budgets = field(default_factory=Budgets)


Mode = Callable[[Problem, ModeContext], Awaitable[Attempt]]
