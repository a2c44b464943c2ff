"""The inference modes by name: what each one runs, the sandbox it gets unless one is named, and
every prompt text it sends, which a run's id hashes so that editing any of them starts a new run.

A new mode is one `register_mode(ModeSpec(...))`: the CLI's help, its "unknown mode" error and
`harness run` all read this registry.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from codefront.agents.context import Mode
from codefront.harness.problems import Problem
from codefront.sandbox import default_sandbox
from codefront.tools.base import Tool, Toolbox, ToolResult

PromptTexts = Callable[[str, Sequence[Problem]], list[str]]
"""(tool protocol, problems) -> every text the mode sends for those problems: system prompt, guides,
nudges, tool descriptions and schemas, how tool results are framed, and each task."""


@dataclass(frozen=True)
class ModeSpec:
    name: str
    summary: str
    module: str
    """The module whose `solve(problem, ctx) -> Attempt` runs the mode; imported when first used."""
    default_sandbox: str
    """The sandbox backend used unless `--sandbox` or $CODEFRONT_SANDBOX names one."""
    prompt_texts: PromptTexts

    def solve(self) -> Mode:
        return importlib.import_module(self.module).solve


def register_mode(spec: ModeSpec) -> None:
    MODES[spec.name] = spec


def mode_spec(name: str) -> ModeSpec:
    if name not in MODES:
        raise ValueError(f"unknown mode {name!r}: choose one of {', '.join(MODES)}")
    return MODES[name]


def mode_named(name: str) -> Mode:
    return mode_spec(name).solve()


def default_sandbox_for(mode: str) -> str:
    """$CODEFRONT_SANDBOX when set, else the mode's own default (Docker for agentic workspaces)."""
    return default_sandbox() or mode_spec(mode).default_sandbox


def prompt_fingerprint(mode: str, tool_protocol: str, problems: Sequence[Problem] = ()) -> str:
    """A hash of every text `mode` sends under `tool_protocol` for these problems."""
    texts = mode_spec(mode).prompt_texts(tool_protocol, problems)
    return hashlib.sha256(json.dumps(texts).encode()).hexdigest()[:16]


def _protocol_texts(tool_protocol: str, tools: list[Tool]) -> list[str]:
    """What the protocol adds: its guide, the tool schemas (native) and the framing of results."""
    from codefront.agents.protocol import Call, protocol_for

    protocol = protocol_for(tool_protocol, Toolbox(tools, output_chars=0))
    framed = protocol.results([(Call("call-0", tool.name, {}), ToolResult("OUTPUT")) for tool in tools])
    return [protocol.guide(), json.dumps(protocol.tools()), json.dumps(framed)]


# The tools below are built only for their descriptions: no sandbox is touched, so none is given.


def _reasoning_texts(tool_protocol: str, problems: Sequence[Problem]) -> list[str]:
    from codefront.agents import prompts

    return [prompts.SYSTEM, *(prompts.task_text(p) for p in problems)]


def _tool_use_texts(tool_protocol: str, problems: Sequence[Problem]) -> list[str]:
    from codefront.agents import prompts, tool_use
    from codefront.tools.python_repl import PythonRepl, python_tool

    tools = [python_tool(PythonRepl(None))]  # type: ignore[arg-type]
    return [prompts.SYSTEM, tool_use.GUIDE, *_protocol_texts(tool_protocol, tools),
            *(prompts.task_text(p) for p in problems)]  # fmt: skip


def _agentic_texts(tool_protocol: str, problems: Sequence[Problem]) -> list[str]:
    from codefront.agents import agentic, prompts
    from codefront.tools.files import file_tools
    from codefront.tools.public_tests import public_tests_tool
    from codefront.tools.shell import shell_tool
    from codefront.tools.submit import SUBMIT

    any_problem = Problem(id="", statement="", tests=())
    tools = [*file_tools(None), shell_tool(None, 0.0, 0), public_tests_tool(None, any_problem), SUBMIT]  # type: ignore[arg-type]
    return [prompts.SYSTEM, agentic.GUIDE, agentic.NUDGE, *_protocol_texts(tool_protocol, tools),
            *(agentic.workspace_task(p) for p in problems)]  # fmt: skip


MODES: dict[str, ModeSpec] = {
    spec.name: spec
    for spec in (
        ModeSpec("reasoning", "one completion; its last code block is the answer",
                 "codefront.agents.reasoning", "local", _reasoning_texts),
        ModeSpec("tool", "a sandboxed Python session while reasoning",
                 "codefront.agents.tool_use", "local", _tool_use_texts),
        ModeSpec("agentic", "files, shell and public tests in a workspace, then submit",
                 "codefront.agents.agentic", "docker", _agentic_texts),
    )
}  # fmt: skip
"""Every mode by name; `register_mode` adds one."""
