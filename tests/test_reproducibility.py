"""A run's reproducibility record: codefront's version and commit, the stack's versions, the seed,
the judge's version and the machine are stored with the run, once per session that adds to it, and
come back through the report (its tables and --json-out)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from codefront.harness.cli import app
from codefront.harness.results.environment import PACKAGES, Environment, capture, source_commit
from codefront.harness.results.store import Store


def invoke(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    return result.output


def test_the_environment_round_trips_through_the_store_and_the_report(endpoint: Path, tmp_path: Path):
    db = tmp_path / "r.sqlite"
    run = ["run", "--model", "good", "--dataset", str(endpoint), "--seed", "7", "--db", str(db)]
    invoke(*run)
    invoke(*run)  # resumed: a second session of the same run, on the same set-up
    with Store(db) as store:
        (record,) = store.runs()
    assert record.config["seed"] == 7 and len(record.sessions) == 2
    stored = Environment.from_dict(record.sessions[0])
    here = capture(7, stored.judge)
    assert stored == here and stored.to_dict() == record.sessions[1]
    assert stored.codefront and set(stored.packages) == set(PACKAGES) and stored.packages["torch"]
    assert stored.commit == source_commit() and len(stored.commit.removesuffix("+dirty")) == 40
    assert {"cpu", "cpu_flags", "cores", "python"} <= set(stored.machine) and len(stored.judge) == 16

    out = tmp_path / "report.json"
    printed = invoke("report", "--db", str(db), "--json-out", str(out))
    (run_info,) = json.loads(out.read_text())["runs"]
    assert run_info["run_id"] == record.run_id and run_info["seed"] == 7 and run_info["mode"] == "reasoning"
    assert run_info["environments"] == [record.sessions[0]]  # one set-up, however many sessions
    assert "Runs: what each ran with" in printed and record.run_id[:12] in printed
    assert stored.commit[:12] in printed and f"torch {stored.packages['torch']}" in printed


def test_a_run_resumed_on_another_set_up_shows_both(endpoint: Path, tmp_path: Path):
    db = tmp_path / "r.sqlite"
    invoke("run", "--model", "good", "--dataset", str(endpoint), "--limit", "1", "--db", str(db))
    with Store(db) as store:
        (record,) = store.runs()
        other = {**record.sessions[0], "packages": {**record.sessions[0]["packages"], "vllm": "0.0.1"}}
        store.start_run(record.config, other)
    out = tmp_path / "report.json"
    invoke("report", "--db", str(db), "--json-out", str(out))
    (run_info,) = json.loads(out.read_text())["runs"]
    assert [env["packages"]["vllm"] for env in run_info["environments"]][-1] == "0.0.1"
    assert len(run_info["environments"]) == 2
