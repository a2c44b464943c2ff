"""Agentic coding (`--mode agentic`): a LangGraph loop, model node ⇄ tool node, in a sandbox workspace.

The model works on `solution.py` with file, shell and public-test tools and calls `submit` when done.
The solution file at submit, or when a budget runs out, is the answer; a model that never wrote it is
judged on the last code block of its replies, or gets no code (CE) with the reason. Budgets:
`max_steps` model turns, `max_tokens` completion tokens, `wall_time_s`. The workspace is whatever
ctx.sandbox opens (`harness run` passes Docker for this mode); it is always closed.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Annotated, TypedDict

from langgraph.graph import START, StateGraph

from codefront.agents import prompts
from codefront.agents.context import Budgets, ModeContext
from codefront.agents.episode import Episode, in_sandbox
from codefront.agents.protocol import protocol_texts
from codefront.records import Attempt, Call, Problem
from codefront.sandbox.base import Sandbox
from codefront.tools import files, shell
from codefront.tools.base import Tool, Toolbox
from codefront.tools.public_tests import PUBLIC_DIR, SOLUTION, copy_public_tests, public_tests_tool
from codefront.tools.submit import SUBMIT

GUIDE = (
    "You are working in a sandbox workspace with tools to list, read, write and edit files, run shell "
    f"commands and run the public tests. Write your program to {SOLUTION}, test it, fix it, then call "
    f"submit. Only {SOLUTION} is judged, on hidden tests, as it is when you submit or run out of turns."
)
NUDGE = f"Your reply called no tool. Keep working with the tools, and call submit when {SOLUTION} is ready."


class State(TypedDict):
    messages: Annotated[list[dict], operator.add]
    calls: list[Call]


def workspace_task(problem: Problem) -> str:
    limits = f"Time limit: {problem.time_limit_s:g} s per test. Memory limit: {problem.memory_limit_mb} MB."
    if problem.test_type == "functional":
        what = (f"{SOLUTION} completes this starter code; the judge calls `Solution().{problem.func_name}(...)`:\n"
                f"```python\n{problem.starter_code.rstrip()}\n```")  # fmt: skip
    else:
        what = f"{SOLUTION} reads the input from standard input and writes the answer to standard output."
    tests = (f"The public tests are in {PUBLIC_DIR}/ (1.in with 1.out, ...)." if problem.public_tests
             else "This problem has no public tests.")  # fmt: skip
    return f"### Question:\n{problem.statement.strip()}\n\n{limits}\n\n### Workspace:\n{what}\n{tests}\n"


def graph_for(episode: Episode):
    async def model(state: State) -> dict:
        completion = await episode.query(state["messages"])
        return {
            "messages": [episode.protocol.assistant(completion)],
            "calls": episode.protocol.calls(completion),
        }

    async def tools(state: State) -> dict:
        if not state["calls"]:
            return {"messages": [episode.say(NUDGE)]}
        return {"messages": await episode.run(state["calls"])}

    graph = StateGraph(State)
    graph.add_node("model", model)
    graph.add_node("tools", tools)
    graph.add_edge(START, "model")
    graph.add_edge("model", "tools")
    graph.add_edge("tools", "model")
    return graph.compile()


async def solve(problem: Problem, ctx: ModeContext) -> Attempt:
    return await in_sandbox(ctx, lambda sandbox: _episode(problem, ctx, sandbox))


def tools(sandbox: Sandbox, problem: Problem, budgets: Budgets) -> list[Tool]:
    shell_tool = shell.shell_tool(sandbox, budgets.tool_timeout_s, budgets.tool_output_chars)
    return [*files.file_tools(sandbox), shell_tool, public_tests_tool(sandbox, problem), SUBMIT]


def prompt_texts(tool_protocol: str, problems: Sequence[Problem]) -> list[str]:
    """The system prompt, the guide and nudge, what the protocol adds for the workspace tools, and
    each task as the workspace words it."""
    described = tools(None, Problem(id="", statement="", tests=()), Budgets())  # type: ignore[arg-type]
    return [prompts.SYSTEM, GUIDE, NUDGE, *protocol_texts(tool_protocol, described),
            *(workspace_task(p) for p in problems)]  # fmt: skip


async def _episode(problem: Problem, ctx: ModeContext, sandbox: Sandbox) -> Attempt:
    b = ctx.budgets
    episode = Episode(
        ctx, Toolbox(tools(sandbox, problem, b), b.tool_output_chars), b.max_steps, float("inf")
    )
    system = f"{ctx.system_prompt or prompts.SYSTEM}\n\n{GUIDE}\n\n{episode.protocol.guide()}"
    messages = episode.open(system, workspace_task(problem))
    await copy_public_tests(sandbox, problem)
    # Each turn is two graph steps; the turn budget always ends the episode first.
    run = graph_for(episode).ainvoke(
        {"messages": messages, "calls": []}, {"recursion_limit": 2 * b.max_steps + 8}
    )
    await episode.play(run)
    return episode.attempt(*await final_code(sandbox, episode))


async def final_code(sandbox: Sandbox, episode: Episode) -> tuple[str | None, str]:
    try:
        code = (await sandbox.read_file(SOLUTION)).decode(errors="replace")
    except FileNotFoundError:
        code = ""
    if code.strip():
        return code, ""
    fallback, reason = episode.last_code()
    return fallback, f"no {SOLUTION} was written, and {reason}"
