"""One tool-use or agentic episode: model calls and tool calls under the budgets, recorded as a trajectory.

Whatever ends an episode raises: `EpisodeEnd` (the model answered or submitted, a budget ran out) or
the wall-clock deadline; `Episode.play` is the one place that catches them. An `EndpointError`
passes through, for the orchestrator to record as an infra error.

The trajectory is typed (records/attempt.py): the opening Messages, a ModelReply per model call, a
ToolRun per tool call, any harness Message (a nudge), and the End, each timed from the episode's start.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from codefront.agents.context import ModeContext
from codefront.agents.extract import extract_code
from codefront.agents.protocol import Native, protocol_for
from codefront.records import Attempt, Call, End, Message, ModelReply, Step, ToolRun
from codefront.sandbox.base import Sandbox, SandboxError
from codefront.tools.base import Submitted, Toolbox, ToolResult


class EpisodeEnd(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        """The attempt's finish_reason: answered, submitted, max_steps, max_tokens (wall_time is the deadline's)."""


class Episode:
    def __init__(self, ctx: ModeContext, toolbox: Toolbox, max_turns: float, max_tool_calls: float) -> None:
        self.ctx, self.toolbox = ctx, toolbox
        self.protocol: Native = protocol_for(ctx.tool_protocol, toolbox)
        self.max_turns, self.max_tool_calls = max_turns, max_tool_calls
        self.turns = self.tool_calls = self.prompt_tokens = self.completion_tokens = 0
        self.cost_usd: float | None = None
        self.trajectory: list[Step] = []
        self.started = time.monotonic()
        self.end_reason = ""

    def now(self) -> float:
        return round(time.monotonic() - self.started, 3)

    def span(self, start: float | None = None) -> dict[str, float]:
        """The timing of a step that began at `start` (by default: now) and ends now."""
        start = self.now() if start is None else start
        return {"t_start": start, "duration_s": round(self.now() - start, 3)}

    def open(self, system: str, task: str) -> list[dict]:
        """The first messages: the system prompt with the tool guide, and the task."""
        messages = [{"role": "system", "content": system}, {"role": "user", "content": task}]
        self.trajectory += [Message(role=m["role"], content=m["content"], **self.span()) for m in messages]
        return messages

    def say(self, text: str) -> dict:
        """A harness message to the model (e.g. a nudge), recorded."""
        self.trajectory.append(Message(role="user", content=text, **self.span()))
        return {"role": "user", "content": text}

    async def query(self, messages: list[dict]) -> Any:
        if self.turns >= self.max_turns:
            raise EpisodeEnd("max_steps")
        if self.completion_tokens >= self.ctx.budgets.max_tokens:
            raise EpisodeEnd("max_tokens")
        self.turns += 1
        start = self.now()
        completion = await self.ctx.chat(messages, tools=self.protocol.tools())
        self.prompt_tokens += completion.prompt_tokens
        self.completion_tokens += completion.completion_tokens
        if completion.cost_usd is not None:
            self.cost_usd = (self.cost_usd or 0.0) + completion.cost_usd
        self.trajectory.append(ModelReply(
            content=completion.text, tool_calls=tuple(self.protocol.calls(completion)),
            finish_reason=completion.finish_reason, prompt_tokens=completion.prompt_tokens,
            completion_tokens=completion.completion_tokens, **self.span(start),
        ))  # fmt: skip
        return completion

    async def run(self, calls: list[Call]) -> list[dict]:
        """Run the calls in order; the messages that carry their results back to the model."""
        done: list[tuple[Call, ToolResult]] = []
        for call in calls:
            if self.tool_calls >= self.max_tool_calls:
                raise EpisodeEnd("max_steps")
            self.tool_calls += 1
            start, submitted = self.now(), False
            try:
                result = await self.toolbox.call(call.name, call.arguments)
            except Submitted:
                result, submitted = ToolResult("submitted"), True
            self.trajectory.append(ToolRun(name=call.name, call_id=call.id, arguments=call.arguments,
                                           result=result.text, error=result.error, **self.span(start)))  # fmt: skip
            if submitted:
                raise EpisodeEnd("submitted")
            done.append((call, result))
        return self.protocol.results(done)

    async def play(self, drive: Awaitable[None]) -> None:
        """Run the episode until something ends it."""
        deadline = asyncio.timeout(self.ctx.budgets.wall_time_s)
        try:
            async with deadline:
                await drive
        except EpisodeEnd as end:
            self.end_reason = end.reason
        except TimeoutError:
            if not deadline.expired():
                raise
            self.end_reason = "wall_time"
        self.trajectory.append(End(reason=self.end_reason, **self.span()))

    def replies(self) -> list[ModelReply]:
        return [e for e in self.trajectory if isinstance(e, ModelReply)]

    def last_code(self) -> tuple[str | None, str]:
        """The last code block of the model's replies, or (None, why there is none)."""
        replies = [e.content for e in self.replies() if e.content.strip()]
        for text in reversed(replies):
            code, _ = extract_code(text)
            if code is not None:
                return code, ""
        return None, extract_code(replies[-1])[1] if replies else "no code block"

    def attempt(self, code: str | None, no_code_reason: str) -> Attempt:
        first_user = next(e.content for e in self.trajectory if isinstance(e, Message) and e.role == "user")
        replies = self.replies()
        return Attempt(
            code=code,
            completion=replies[-1].content if replies else "",
            no_code_reason="" if code else no_code_reason,
            trajectory=tuple(self.trajectory),
            prompt=first_user,
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
            cost_usd=self.cost_usd,
            finish_reason=self.end_reason,
            latency_s=self.now(),
        )


async def in_sandbox(ctx: ModeContext, body: Callable[[Sandbox], Awaitable[Attempt]]) -> Attempt:
    """Run `body` in a fresh sandbox that is always closed; a failing sandbox is an infra error."""
    try:
        sandbox = await ctx.sandbox.open()
        try:
            return await body(sandbox)
        finally:
            await sandbox.close()
    except SandboxError as e:
        return Attempt(code=None, infra_error=f"sandbox: {e}")
