"""Tool use (`--mode tool`): the model may run Python in a persistent sandboxed session while it
reasons, then answers with its final program; the last code block of its replies is judged.

A reply without a tool call is the answer. Natively the `python` tool is an OpenAI function; with the
text protocol the model writes a ```python-exec block and gets the output back as a user message
(agents/protocol.py). Budgets: `max_steps` tool calls, `max_tokens` completion tokens, `wall_time_s`;
running out ends the episode, and the last code block written so far is still judged.
"""

from __future__ import annotations

from collections.abc import Sequence

from codefront.agents import prompts
from codefront.agents.context import ModeContext
from codefront.agents.episode import Episode, EpisodeEnd, in_sandbox
from codefront.agents.protocol import protocol_texts
from codefront.records import Attempt, Problem
from codefront.sandbox.base import Sandbox
from codefront.tools import python_repl
from codefront.tools.base import Tool, Toolbox

GUIDE = (
    "You have a `python` tool: a persistent Python session in a sandbox, to try ideas, check "
    "examples and test your code while you think. Each call may use at most {timeout:g} s. When you "
    "are done, reply without a tool call, giving your final program in one ```python code block."
)


async def solve(problem: Problem, ctx: ModeContext) -> Attempt:
    return await in_sandbox(ctx, lambda sandbox: _episode(problem, ctx, sandbox))


def tools(repl: python_repl.PythonRepl) -> list[Tool]:
    return [python_repl.python_tool(repl)]


def prompt_texts(tool_protocol: str, problems: Sequence[Problem]) -> list[str]:
    """The system prompt, the guide, what the protocol adds for the python tool, and each task."""
    described = tools(python_repl.PythonRepl(None))  # type: ignore[arg-type]  # built for its description
    return [prompts.SYSTEM, GUIDE, *protocol_texts(tool_protocol, described),
            *(prompts.task_text(p) for p in problems)]  # fmt: skip


async def _episode(problem: Problem, ctx: ModeContext, sandbox: Sandbox) -> Attempt:
    b = ctx.budgets
    limits = python_repl.ReplLimits(timeout_s=b.tool_timeout_s, output_chars=b.tool_output_chars)
    repl = python_repl.PythonRepl(sandbox, limits)
    episode = Episode(ctx, Toolbox(tools(repl), b.tool_output_chars), float("inf"), b.max_steps)
    guide = f"{GUIDE.format(timeout=b.tool_timeout_s)}\n\n{episode.protocol.guide()}"
    messages = episode.open(f"{ctx.system_prompt or prompts.SYSTEM}\n\n{guide}", prompts.task_text(problem))
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
