"""Runs of several (model, mode) pairs into one store, resumed like a run, from flags, a YAML file or
-c overrides, against a scripted loopback endpoint: one setting given any of those ways is the same
run (the same run id)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from loopback_endpoint import Scripted
from typer.testing import CliRunner

from codefront.harness.cli import app
from codefront.harness.results.store import Store
from codefront.records import Outcome

ROOT = Path(__file__).resolve().parents[1]


def stored(db: Path) -> Counter:
    with Store(db) as store:
        return Counter((s.model, s.mode, s.problem, s.index, s.result.outcome if s.result else None)
                       for s in store.samples())  # fmt: skip


def run_ids(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {run_id for (run_id,) in conn.execute("SELECT DISTINCT run_id FROM samples")}


def invoke(*args: str) -> str:
    result = CliRunner().invoke(app, ["run", *args], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def test_a_sweep_runs_every_pair_once_and_resumes(endpoint: Path, tmp_path: Path):
    db = tmp_path / "r.sqlite"
    args = ["--model", "good,bad", "--mode", "reasoning,tool", "--dataset", str(endpoint), "--samples", "2",
            "--db", str(db)]  # fmt: skip
    first = invoke(*args)
    counts = stored(db)
    assert len(counts) == 2 * 2 * 3 * 2 and set(counts.values()) == {1}
    for model, mode, _, _, outcome in counts:
        assert outcome == (Outcome.SOLVED if model == "good" else Outcome.CORRECTNESS_FAILURE), (model, mode)
    with Store(db) as store:
        for sample in store.samples(mode="tool"):  # the python tool ran in the sandbox
            assert [step.result for step in sample.attempt.trajectory if step.role == "tool"] == ["42\n"]
    assert "24 samples stored" in first
    for model, mode in [("good", "reasoning"), ("good", "tool"), ("bad", "reasoning"), ("bad", "tool")]:
        assert f"{model} · {mode}" in first  # a bar per pair and a summary row
    assert "solved %" in first and "100.0" in first and "0.0" in first

    again = invoke(*args)
    assert "0 samples stored" in again and again.count("6 samples already finished") == 4
    assert stored(db) == counts


def test_one_setting_given_in_a_file_by_c_or_as_a_flag_is_the_same_run(endpoint: Path, tmp_path: Path):
    db = tmp_path / "same.sqlite"
    config = tmp_path / "run.yaml"
    config.write_text(f"models: [good]\ndataset: {endpoint}\nsamples: 2\nbudgets: {{max_steps: 3}}\n")
    invoke("--config", str(config), "--db", str(db))
    assert len(run_ids(db)) == 1
    common = ["--model", "good", "--dataset", str(endpoint), "--db", str(db)]
    assert "0 samples stored" in invoke(*common, "-c", "samples=2", "-c", "budgets.max_steps=3")
    assert "0 samples stored" in invoke(*common, "--samples", "2", "--max-steps", "3")
    # A section of a shared file, overridden from the command line, is still that run.
    shared = tmp_path / "codefront.yaml"
    shared.write_text(f"run:\n  models: good\n  dataset: {endpoint}\n  samples: 5\n"
                      f"  budgets: {{max_steps: 3}}\nreport: {{by_difficulty: true}}\n")  # fmt: skip
    assert "0 samples stored" in invoke("--config", str(shared), "--samples", "2", "--db", str(db))
    assert len(run_ids(db)) == 1
    invoke(*common, "--samples", "2", "--max-steps", "4")  # a budget is in the run's id
    assert len(run_ids(db)) == 2


def test_a_sweep_file_is_the_same_runs_as_the_flags(endpoint: Path, tmp_path: Path):
    from_file, from_flags = tmp_path / "file.sqlite", tmp_path / "flags.sqlite"
    config = tmp_path / "sweep.yaml"
    config.write_text(f"models: [good, bad]\nmodes: reasoning,tool\ndataset: {endpoint}\n"
                      f"selection: {{problems: [add1, add3]}}\nsamples: 1\nlevels: 2\n"
                      f"budgets: {{max_steps: 3}}\ndb: {from_file}\nexecutor: local\n")  # fmt: skip
    invoke("--config", str(config))
    assert {(m, mode, p) for m, mode, p, _, _ in stored(from_file)} == {
        (m, mode, p) for m in ("good", "bad") for mode in ("reasoning", "tool") for p in ("add1", "add3")
    }
    invoke("--model", "good,bad", "--mode", "reasoning,tool", "--dataset", str(endpoint), "--problems",
           "add1,add3", "--levels", "2", "--max-steps", "3", "--db", str(from_flags))  # fmt: skip
    assert len(run_ids(from_file)) == 4 and run_ids(from_file) == run_ids(from_flags)


def test_every_request_carries_its_samples_seed(endpoint: Path, tmp_path: Path):
    args = ["--model", "good", "--dataset", str(endpoint), "--samples", "2"]
    invoke(*args, "--db", str(tmp_path / "a.sqlite"))
    first = list(Scripted.seeds)
    assert len(first) == 6 and all(isinstance(seed, int) for _, seed in first)
    assert len({seed for _, seed in first}) == 6  # each (problem, sample) its own
    Scripted.seeds.clear()
    invoke(*args, "--db", str(tmp_path / "b.sqlite"))
    assert sorted(Scripted.seeds) == sorted(first)  # the same run samples alike
    Scripted.seeds.clear()
    invoke(*args, "--seed", "1", "--db", str(tmp_path / "c.sqlite"))
    assert not {seed for _, seed in Scripted.seeds} & {seed for _, seed in first}


@pytest.mark.parametrize(
    ("text", "message"),
    [("models: [good]\nmodel: x\n", "unknown setting 'model' (did you mean models?"),
     ("models: [good]\nexecutor: slurm\n", "unknown executor"), ("models: []\n", "give --model"),
     ("models: [good]\nmodes: [dream]\n", "unknown mode 'dream'"),
     ("models: [good]\nsamples: many\n", "samples: expected an integer, got 'many'"),
     ("models: [good]\nbudgets: 3\n", "budgets is a section"), ("- good\n", "a mapping of settings")],
)  # fmt: skip
def test_a_bad_run_file_is_a_one_line_error_naming_the_setting(tmp_path: Path, text: str, message: str):
    config = tmp_path / "sweep.yaml"
    config.write_text(text)
    result = CliRunner().invoke(app, ["run", "--config", str(config)])
    assert result.exit_code == 2 and message in " ".join(result.output.split()), result.output


def test_names_are_checked_before_anything_starts(endpoint: Path, tmp_path: Path):
    """The headline command with a name only the pipeline makes: no progress display, no store, and
    the error says which commands make it."""
    db = tmp_path / "never.sqlite"
    result = CliRunner().invoke(app, ["run", "--mode", "agentic", "--model", "good,alpha1.5", "--db", str(db)],
                                env={"COLUMNS": "300"})  # fmt: skip
    assert result.exit_code == 2
    assert "unknown model 'alpha1.5'" in result.output and "harness merge" in result.output
    assert "harness pipeline" in result.output and "did you mean" not in result.output
    assert "good · agentic" not in result.output and not db.exists()


def test_the_local_executor_never_imports_ray(endpoint: Path, tmp_path: Path):
    code = ("import sys\nfrom typer.testing import CliRunner\nfrom codefront.harness.cli import app\n"
            f"r = CliRunner().invoke(app, ['run', '--model', 'good', '--dataset', {str(endpoint)!r}, "
            f"'--db', {str(tmp_path / 'l.sqlite')!r}])\n"
            "assert r.exit_code == 0, r.output\nprint('ray' in sys.modules)\n")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip().splitlines()[-1] == "False"


def test_a_run_whose_every_sample_is_an_infra_error_fails_and_says_why(endpoint: Path, tmp_path: Path):
    db = tmp_path / "refused.sqlite"
    result = CliRunner().invoke(app, ["run", "--model", "refused", "--dataset", str(endpoint), "--db", str(db)],
                                env={"COLUMNS": "200"})  # fmt: skip
    assert result.exit_code == 1
    assert "3 of them are infra errors" in result.output and "refuses the request" in result.output
    assert {outcome for *_, outcome in stored(db)} == {None}  # stored, and retried by the same command
