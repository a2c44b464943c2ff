"""A fourth mode, written in this file and registered with one call, runs end to end through the
command line with no other file changed: it answers, is judged, stored and reported, and the texts
it sends are in its run's id."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from typer.testing import CliRunner

from codefront.agents import modes
from codefront.agents.context import ModeContext
from codefront.agents.extract import extract_code
from codefront.agents.modes import ModeSpec, register_mode
from codefront.harness.cli import app
from codefront.harness.results.store import Store
from codefront.records import Attempt, Problem

ASK = "Write a Python program for this, in one code block."


def prompt_texts(tool_protocol: str, problems: Sequence[Problem]) -> list[str]:
    return [ASK, *(p.statement for p in problems)]


async def solve(problem: Problem, ctx: ModeContext) -> Attempt:
    completion = await ctx.chat([{"role": "user", "content": f"{ASK}\n\n{problem.statement}"}])
    code, reason = extract_code(completion.text)
    return Attempt(code=code, completion=completion.text, no_code_reason=reason, prompt=problem.statement,
                   completion_tokens=completion.completion_tokens, finish_reason=completion.finish_reason)  # fmt: skip


@pytest.fixture
def toy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(modes, "MODES", dict(modes.MODES))
    register_mode(ModeSpec("toy", "one plain question", __name__, "local"))


def run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def test_a_mode_registered_in_a_test_file_runs_end_to_end(
    endpoint: Path, toy: None, tmp_path: Path, monkeypatch
):
    db = tmp_path / "toy.sqlite"
    args = ["run", "--mode", "toy,reasoning", "--model", "good", "--dataset", str(endpoint), "--db", str(db)]
    assert "6 samples stored" in run(*args)
    with Store(db) as store:
        toy_samples = list(store.samples(mode="toy"))
        runs = {r.config["mode"]: r for r in store.runs()}
    assert len(toy_samples) == 3 and all(s.result.verdict == "AC" for s in toy_samples)
    assert toy_samples[0].attempt.prompt == "Read a and b; print a + b."
    rows = json.loads(run("report", "--db", str(db), "--json"))
    assert {(r["mode"], r["solve_rate"]) for r in rows} == {("toy", 1.0), ("reasoning", 1.0)}
    assert runs["toy"].config["prompts"] != runs["reasoning"].config["prompts"]

    monkeypatch.setitem(globals(), "ASK", "Solve it.")
    assert "3 samples stored" in run(*args)  # what the mode sends is in its run's id: a new toy run
    with Store(db) as store:
        assert len(store.runs()) == 3
