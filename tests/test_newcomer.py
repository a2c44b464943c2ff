"""The newcomer's first run: README commands as written, serving defaults, progress and the starter tier."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from codefront.harness.cli import app
from codefront.harness.judge.records import OUTCOME_OF, JudgeResult, Verdict
from codefront.harness.records import Attempt, Sample
from codefront.harness.run import DEFAULT_DB, RunConfig
from codefront.harness.store import Store


def solved_sample(problem: str, index: int) -> Sample:
    result = JudgeResult(problem, Verdict.AC, OUTCOME_OF[Verdict.AC], 4, 4, 8, 8, (), 0.1, 10.0)
    return Sample(
        run_id="run",
        model="smollm2-135m",
        model_key="key",
        mode="reasoning",
        problem=problem,
        difficulty="starter",
        index=index,
        attempt=Attempt(code="print(1)", completion_tokens=10),
        result=result,
    )


def test_report_without_db_reads_the_store_run_writes_by_default(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert RunConfig(model="m").db == DEFAULT_DB
    DEFAULT_DB.parent.mkdir(parents=True)
    with Store(DEFAULT_DB) as store:
        store.add(solved_sample("sum-pair", 0))
    result = CliRunner().invoke(app, ["report", "--json"])
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.output)
    assert (row["model"], row["mode"], row["solve_rate"]) == ("smollm2-135m", "reasoning", 1.0)


def test_report_without_db_and_no_store_names_the_default_path(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["report"])
    assert result.exit_code == 2
    assert str(DEFAULT_DB) in result.output and "Missing option" not in result.output


def test_harness_help_says_what_the_tool_does():
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "evaluat" in result.output.lower() and "wires" not in result.output
