"""Pure reasoning: one completion, its last code block is the answer."""

from __future__ import annotations

from collections.abc import Sequence

from codefront.agents import prompts
from codefront.agents.context import ModeContext
from codefront.agents.extract import extract_code
from codefront.records import Attempt, Problem


async def solve(problem: Problem, ctx: ModeContext) -> Attempt:
    messages = prompts.messages_for(problem, ctx.system_prompt)
    completion = await ctx.chat(messages)
    code, reason = extract_code(completion.text)
    return Attempt(
        code=code,
        completion=completion.text,
        no_code_reason=reason,
        prompt=messages[-1]["content"],
        prompt_tokens=completion.prompt_tokens,
        completion_tokens=completion.completion_tokens,
        cost_usd=completion.cost_usd,
        finish_reason=completion.finish_reason,
        latency_s=completion.latency_s,
    )


def prompt_texts(tool_protocol: str, problems: Sequence[Problem]) -> list[str]:
    """The system prompt and each task: no tools, so the same under either tool protocol."""
    return [prompts.SYSTEM, *(prompts.task_text(p) for p in problems)]
