"""Sweeps: every (model, mode) pair into one store, resumed like a run, from flags or a sweep file,
against a scripted loopback endpoint."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from loopback_endpoint import serve, write_fixture
from typer.testing import CliRunner

from codefront.harness.cli import app
from codefront.harness.judge.records import Outcome
from codefront.harness.store import Store
from codefront.harness.sweep import names, sweep_from_yaml

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def endpoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    server = serve()
    models, problems = write_fixture(tmp_path, server)
    monkeypatch.setenv("CODEFRONT_MODELS", str(models))
    monkeypatch.setenv("CODEFRONT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CODEFRONT_SANDBOX", raising=False)
    yield problems
    server.shutdown()
    server.server_close()


def stored(db: Path) -> Counter:
    with Store(db) as store:
        return Counter((s.model, s.mode, s.problem, s.index, s.result.outcome if s.result else None)
                       for s in store.samples())  # fmt: skip


def test_names_keep_order_and_drop_repeats():
    assert names(" good, bad,good,, ") == ("good", "bad")


def test_a_sweep_runs_every_pair_once_and_resumes(endpoint: Path, tmp_path: Path):
    db = tmp_path / "r.sqlite"
    args = ["run", "--model", "good,bad", "--mode", "reasoning,tool", "--dataset", str(endpoint),
            "--samples", "2", "--db", str(db)]  # fmt: skip
    first = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert first.exit_code == 0, first.output
    counts = stored(db)
    assert len(counts) == 2 * 2 * 3 * 2 and set(counts.values()) == {1}
    for model, mode, _, _, outcome in counts:
        assert outcome == (Outcome.SOLVED if model == "good" else Outcome.CORRECTNESS_FAILURE), (model, mode)
    with Store(db) as store:
        for sample in store.samples(mode="tool"):  # the python tool ran in the sandbox
            assert [step.result for step in sample.attempt.trajectory if step.role == "tool"] == ["42\n"]
    assert "24 samples stored" in first.output
    for model, mode in [("good", "reasoning"), ("good", "tool"), ("bad", "reasoning"), ("bad", "tool")]:
        assert f"{model} · {mode}" in first.output  # a bar per pair and a summary row
    assert "solved %" in first.output and "100.0" in first.output and "0.0" in first.output

    again = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert again.exit_code == 0, again.output
    assert "0 samples stored" in again.output and again.output.count("6 samples already finished") == 4
    assert stored(db) == counts


def test_a_sweep_file_is_the_same_sweep(endpoint: Path, tmp_path: Path):
    db = tmp_path / "f.sqlite"
    config = tmp_path / "sweep.yaml"
    config.write_text(f"models: [good, bad]\nmodes: reasoning,tool\ndataset: {endpoint}\n"
                      f"selection: {{problems: [add1, add3]}}\nsamples: 1\nlevels: 2\n"
                      f"budgets: {{max_steps: 3}}\ndb: {db}\nexecutor: local\n")  # fmt: skip
    sweep = sweep_from_yaml(config)
    assert sweep.models == ("good", "bad") and sweep.modes == ("reasoning", "tool")
    assert sweep.base.budgets.max_steps == 3 and sweep.base.levels == 2 and sweep.executor == "local"
    result = CliRunner().invoke(app, ["run", "--config", str(config)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert {(m, mode, p) for m, mode, p, _, _ in stored(db)} == {
        (m, mode, p) for m in ("good", "bad") for mode in ("reasoning", "tool") for p in ("add1", "add3")
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [("models: [good]\nmodel: x\n", "unknown keys model"), ("models: [good]\nexecutor: slurm\n", "unknown executor"),
     ("models: []\n", "at least one model"), ("models: [good]\nmodes: [dream]\n", "dream")],
)  # fmt: skip
def test_a_bad_sweep_file_is_a_one_line_error(tmp_path: Path, text: str, message: str):
    config = tmp_path / "sweep.yaml"
    config.write_text(text)
    result = CliRunner().invoke(app, ["run", "--config", str(config)])
    assert result.exit_code == 2 and message in result.output


def test_the_local_executor_never_imports_ray(endpoint: Path, tmp_path: Path):
    code = ("import sys\nfrom typer.testing import CliRunner\nfrom codefront.harness.cli import app\n"
            f"r = CliRunner().invoke(app, ['run', '--model', 'good', '--dataset', {str(endpoint)!r}, "
            f"'--db', {str(tmp_path / 'l.sqlite')!r}])\n"
            "assert r.exit_code == 0, r.output\nprint('ray' in sys.modules)\n")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip().splitlines()[-1] == "False"
