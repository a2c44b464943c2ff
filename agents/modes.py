"""The inference modes by name: what each one runs, the sandbox it gets unless one is named, and
every prompt text it sends, which a run's id hashes so that editing any of them starts a new run.

A mode is a module with two functions, `solve(problem, ctx) -> Attempt` and
`prompt_texts(tool_protocol, problems) -> list[str]` (every text it sends for those problems:
system prompt, guides, nudges, tool descriptions and schemas, how tool results are framed, each
task). A new mode is one `register_mode(ModeSpec(...))` naming its module: the command line's
checks and errors, and `harness run`, all read this registry.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from codefront.agents.context import Mode
from codefront.records import Problem
from codefront.sandbox import default_sandbox

PromptTexts = Callable[[str, Sequence[Problem]], list[str]]
"""(tool protocol, problems) -> every text the mode sends for those problems."""


@dataclass(frozen=True)
class ModeSpec:
    name: str
    summary: str
    module: str
    """The module that runs the mode (`solve`) and lists its texts (`prompt_texts`); imported when
    first used, so naming a mode costs nothing until it runs."""
    default_sandbox: str
    """The sandbox backend used unless `--sandbox` or $CODEFRONT_SANDBOX names one."""

    def solve(self) -> Mode:
        return importlib.import_module(self.module).solve

    def prompt_texts(self) -> PromptTexts:
        return importlib.import_module(self.module).prompt_texts


MODES: dict[str, ModeSpec] = {
    spec.name: spec
    for spec in (
        ModeSpec("reasoning", "one completion; its last code block is the answer",
                 "codefront.agents.reasoning", "local"),
        ModeSpec("tool", "a sandboxed Python session while reasoning", "codefront.agents.tool_use", "local"),
        ModeSpec("agentic", "files, shell and public tests in a workspace, then submit",
                 "codefront.agents.agentic", "docker"),
    )
}  # fmt: skip
"""Every mode by name; `register_mode` adds one."""


def register_mode(spec: ModeSpec) -> None:
    MODES[spec.name] = spec


def mode_spec(name: str) -> ModeSpec:
    if name not in MODES:
        raise ValueError(f"unknown mode {name!r}: choose one of {', '.join(MODES)}")
    return MODES[name]


def mode_named(name: str) -> Mode:
    return mode_spec(name).solve()


def describe_modes() -> str:
    return "; ".join(f"{spec.name}: {spec.summary}" for spec in MODES.values()) + "."


def default_sandbox_for(mode: str) -> str:
    """$CODEFRONT_SANDBOX when set, else the mode's own default (Docker for agentic workspaces)."""
    return default_sandbox() or mode_spec(mode).default_sandbox


def prompt_fingerprint(mode: str, tool_protocol: str, problems: Sequence[Problem] = ()) -> str:
    """A hash of every text `mode` sends under `tool_protocol` for these problems."""
    texts = mode_spec(mode).prompt_texts()(tool_protocol, problems)
    return hashlib.sha256(json.dumps(texts).encode()).hexdigest()[:16]
