"""One tool-use or agentic episode: model calls and tool calls under the budgets, recorded as a trajectory.

Whatever ends an episode raises: `EpisodeEnd` (the model answered or submitted, a budget ran out) or
the wall-clock deadline; `Episode.play` is the one place that catches them. An `EndpointError`
passes through, for the orchestrator to record as an infra error.

Trajectory entries are dicts with `role` (system, user, assistant, tool, end), `t_start` (seconds
since the episode began) and `duration_s`; assistant entries add `content`, `tool_calls`,
`prompt_tokens`, `completion_tokens` and `finish_reason`; tool entries add `name`, `call_id`,
`arguments`, the capped `result` exactly as the model saw it, and `error`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from codefront.agents.context import ModeContext
from codefront.agents.extract import extract_code
from codefront.agents.protocol import Call, Native, protocol_for
from codefront.harness.records import Attempt
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
        self.trajectory: list[dict] = []
        self.started = time.monotonic()
        self.end_reason = ""

    def now(self) -> float:
        return round(time.monotonic() - self.started, 3)

    def log(self, role: str, t_start: float | None = None, **fields: Any) -> None:
        start = self.now() if t_start is None else t_start
        self.trajectory.append(
            {"role": role, "t_start": start, "duration_s": round(self.now() - start, 3), **fields}
        )

    def open(self, system: str, task: str) -> list[dict]:
        """The first messages: the system prompt with the tool guide, and the task."""
        messages = [{"role": "system", "content": system}, {"role": "user", "content": task}]
        for message in messages:
            self.log(message["role"], content=message["content"])
        return messages

    def say(self, text: str) -> dict:
        """A harness message to the model (e.g. a nudge), recorded."""
        self.log("user", content=text)
        return {"role": "user", "content": text}

    async def query(self, messages: list[dict]) -> Any:
        if self.turns >= self.max_turns:
            raise EpisodeEnd("max_steps")
        if self.completion_tokens >= self.ctx.budgets.max_tokens:
            raise EpisodeEnd("max_tokens")
        self.turns += 1
        start = self.now()
        completion = await self.ctx.client.chat(messages, tools=self.protocol.tools())
        self.prompt_tokens += completion.prompt_tokens
        self.completion_tokens += completion.completion_tokens
        if completion.cost_usd is not None:
            self.cost_usd = (self.cost_usd or 0.0) + completion.cost_usd
        calls = [
            {"id": c.id, "name": c.name, "arguments": c.arguments} for c in self.protocol.calls(completion)
        ]
        self.log("assistant", start, content=completion.text, tool_calls=calls, finish_reason=completion.finish_reason,
                 prompt_tokens=completion.prompt_tokens, completion_tokens=completion.completion_tokens)  # fmt: skip
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
            self.log("tool", start, name=call.name, call_id=call.id, arguments=call.arguments,
                     result=result.text, error=result.error)  # fmt: skip
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
        self.log("end", content=self.end_reason)

    def last_code(self) -> tuple[str | None, str]:
        """The last code block of the model's replies, or (None, why there is none)."""
        replies = [e["content"] for e in self.trajectory if e["role"] == "assistant" and e["content"].strip()]
        for text in reversed(replies):
            code, _ = extract_code(text)
            if code is not None:
                return code, ""
        return None, extract_code(replies[-1])[1] if replies else "no code block"

    def attempt(self, code: str | None, no_code_reason: str) -> Attempt:
        first_user = next(e["content"] for e in self.trajectory if e["role"] == "user")
        replies = [e for e in self.trajectory if e["role"] == "assistant"]
        return Attempt(
            code=code,
            completion=replies[-1]["content"] if replies else "",
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
