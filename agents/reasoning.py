"""Pure reasoning: one completion, its last code block is the answer."""

from __future__ import annotations

from codefront.agents.context import ModeContext
from codefront.agents.extract import extract_code
from codefront.agents.prompts import messages_for
from codefront.harness.problems import Problem
from codefront.harness.records import Attempt


async def solve(problem: Problem, ctx: ModeContext) -> Attempt:
    messages = messages_for(problem, ctx.system_prompt)
    completion = await ctx.client.chat(messages)
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
