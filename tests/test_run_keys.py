"""A run's id covers every prompt text its mode sends: change one and the id changes for exactly
the modes (and tool protocols) that send it; change nothing and the id stays."""

from __future__ import annotations

from dataclasses import replace

import pytest

from codefront.agents import agentic, prompts, protocol, tool_use
from codefront.agents.context import Budgets
from codefront.harness.eval.config import Pair, RunConfig
from codefront.harness.eval.run import run_identity
from codefront.harness.models.spec import ModelSpec
from codefront.harness.results.store import config_hash
from codefront.records import Problem, Test
from codefront.tools import python_repl, shell

PROBLEMS = [
    Problem(id="add", statement="Print a + b.", tests=(Test("1 2\n", "3\n"),), public_tests=(Test("2 2\n", "4\n"),)),
    Problem(id="twice", statement="Return 2x.", tests=(Test("3", "6"),), test_type="functional",
            func_name="twice", starter_code="class Solution:\n    def twice(self, x: int) -> int:\n"),
]  # fmt: skip
MODES = ("reasoning", "tool", "agentic")
PROTOCOLS = ("native", "text")
EVERY = {(mode, p) for mode in MODES for p in PROTOCOLS}
TOOL_MODES = {(mode, p) for mode in ("tool", "agentic") for p in PROTOCOLS}


def run_id(mode: str, tool_protocol: str, problems: list[Problem] = PROBLEMS, **settings) -> str:
    spec = ModelSpec(
        name="m", kind="endpoint", where="http://localhost:1", model="m", tool_protocol=tool_protocol
    )
    config = RunConfig(models=("m",), modes=(mode,), **settings)
    return config_hash(run_identity(config, Pair("m", mode), "model-key", spec, problems))


def ids() -> dict[tuple[str, str], str]:
    return {(mode, p): run_id(mode, p) for mode, p in sorted(EVERY)}


def _with_description(make, description: str):
    return lambda *args, **kwargs: replace(make(*args, **kwargs), description=description)


INGREDIENTS = {
    "system prompt": (lambda mp: mp.setattr(prompts, "SYSTEM", "Be brief."), EVERY),
    "task text": (lambda mp: mp.setattr(prompts, "task_text", lambda p: p.statement), EVERY - {("agentic", p) for p in PROTOCOLS}),
    "workspace task": (lambda mp: mp.setattr(agentic, "workspace_task", lambda p: p.statement), {("agentic", p) for p in PROTOCOLS}),
    "tool-use guide": (lambda mp: mp.setattr(tool_use, "GUIDE", "Use python."), {("tool", p) for p in PROTOCOLS}),
    "agentic guide": (lambda mp: mp.setattr(agentic, "GUIDE", "Edit files."), {("agentic", p) for p in PROTOCOLS}),
    "agentic nudge": (lambda mp: mp.setattr(agentic, "NUDGE", "Go on."), {("agentic", p) for p in PROTOCOLS}),
    "text protocol guide": (lambda mp: mp.setattr(protocol.Text, "guide", lambda self: "Fences."), {(m, "text") for m in ("tool", "agentic")}),
    "native protocol guide": (lambda mp: mp.setattr(protocol.Native, "guide", lambda self: "Functions."), {(m, "native") for m in ("tool", "agentic")}),
    "text result framing": (lambda mp: mp.setattr(protocol.Text, "results", lambda self, done: []), {(m, "text") for m in ("tool", "agentic")}),
    "python tool description": (lambda mp: mp.setattr(python_repl, "python_tool", _with_description(python_repl.python_tool, "Run code.")), {("tool", p) for p in PROTOCOLS}),
    "shell tool description": (lambda mp: mp.setattr(shell, "shell_tool", _with_description(shell.shell_tool, "Run sh.")), {("agentic", p) for p in PROTOCOLS}),
}  # fmt: skip


def test_the_same_configuration_keeps_its_id():
    assert ids() == ids()
    assert len(set(ids().values())) == len(EVERY) - 1  # reasoning sends no tools: one id for both protocols


@pytest.mark.parametrize("ingredient", INGREDIENTS)
def test_each_prompt_text_changes_the_id_of_the_modes_that_send_it(ingredient, monkeypatch):
    before = ids()
    patch, sent_by = INGREDIENTS[ingredient]
    patch(monkeypatch)
    after = ids()
    changed = {key for key in EVERY if after[key] != before[key]}
    assert changed == sent_by


def test_problem_texts_and_run_settings_are_in_the_id():
    base = run_id("agentic", "text")
    edited = [replace(PROBLEMS[0], statement="Print a - b."), PROBLEMS[1]]
    assert run_id("agentic", "text", edited) != base
    assert run_id("agentic", "text", levels=2) != base
    assert run_id("agentic", "text", budgets=Budgets(max_steps=3)) != base
    assert run_id("agentic", "text", seed=1) != base
    # Where and how fast it runs does not change what is sampled.
    assert (
        run_id("agentic", "text", concurrency=1, sandbox="local", db="elsewhere.sqlite", executor="ray")
        == base
    )
