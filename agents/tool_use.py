"""Tool use (`--mode tool`): the model may run Python in a persistent sandboxed session while it
reasons, then answers with its final program; the last code block of its replies is judged.

A reply without a tool call is the answer. Natively the `python` tool is an OpenAI function; with the
text protocol the model writes a ```python-exec block and gets the output back as a user message
(agents/protocol.py). Budgets: `max_steps` tool calls, `max_tokens` completion tokens, `wall_time_s`;
running out ends the episode, and the last code block written so far is still judged.
"""

from __future__ import annotations

from codefront.agents.context import ModeContext
from codefront.agents.episode import Episode, EpisodeEnd, in_sandbox
from codefront.agents.prompts import SYSTEM, task_text
from codefront.harness.problems import Problem
from codefront.harness.records import Attempt
from codefront.sandbox.base import Sandbox
from codefront.tools.base import Toolbox
from codefront.tools.python_repl import PythonRepl, ReplLimits, python_tool

GUIDE = (
    "You have a `python` tool: a persistent Python session in a sandbox, to try ideas, check "
    "examples and test your code while you think. Each call may use at most {timeout:g} s. When you "
    "are done, reply without a tool call, giving your final program in one ```python code block."
)


async def solve(problem: Problem, ctx: ModeContext) -> Attempt:
    return await in_sandbox(ctx, lambda sandbox: _episode(problem, ctx, sandbox))


async def _episode(problem: Problem, ctx: ModeContext, sandbox: Sandbox) -> Attempt:
    b = ctx.budgets
    repl = PythonRepl(sandbox, ReplLimits(timeout_s=b.tool_timeout_s, output_chars=b.tool_output_chars))
    episode = Episode(ctx, Toolbox([python_tool(repl)], b.tool_output_chars), float("inf"), b.max_steps)
    guide = f"{GUIDE.format(timeout=b.tool_timeout_s)}\n\n{episode.protocol.guide()}"
    messages = episode.open(f"{ctx.system_prompt or SYSTEM}\n\n{guide}", task_text(problem))
    try:
        await episode.play(_loop(episode, messages))
    finally:
        await repl.close()
    return episode.attempt(*episode.last_code())


async def _loop(episode: Episode, messages: list[dict]) -> None:
    while True:
        completion = await episode.query(messages)
        messages.append(episode.protocol.assistant(completion))
        calls = episode.protocol.calls(completion)
        if not calls:
            raise EpisodeEnd("answered")
        messages += await episode.run(calls)
