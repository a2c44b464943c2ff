"""The embedded loop end to end: train cov1 and cov4, merge a grid with alpha 1.5, serve `alpha1.5`
by name with vLLM and evaluate it in all three modes, then report; and the trained cov1, evaluated with
`harness run`, on the report's alpha view at its coverage level."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from codefront.harness.models import load_registry
from codefront.harness.store import Store

pytestmark = [pytest.mark.vllm, pytest.mark.slow]
HARNESS = str(Path(sys.executable).with_name("harness"))


def harness(*args: str, timeout: float) -> subprocess.CompletedProcess:
    out = subprocess.run([HARNESS, *args], capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the pipeline's output folder, its results store), after one `harness pipeline` run."""
    root = tmp_path_factory.mktemp("pipeline")
    run, db = root / "run", root / "results.sqlite"
    harness(
        "pipeline", "--max-steps", "1", "--eval-limit", "1", "--out", str(run), "--db", str(db), timeout=2400
    )
    return run, db


def test_pipeline_trains_merges_and_evaluates_alpha_1_5_by_name(pipeline):
    run, db = pipeline
    merged = run / "merges" / "alpha1.5"
    record = json.loads((merged / "merge.json").read_text())
    assert record["alpha"] == 1.5 and record["low_hash"] and record["high_hash"]
    assert load_registry().get("alpha1.5").checkpoint_dir().resolve() == merged.resolve()
    for name in ("cov1", "cov4"):
        training = json.loads((run / name / "training.json").read_text())
        assert training["coverage_level"] == int(name[-1]) and training["steps"] == 1
    with Store(db) as store:
        samples = list(store.samples(model="alpha1.5"))
    assert sorted(s.mode for s in samples) == ["agentic", "reasoning", "tool"]
    assert all(s.result is not None and s.attempt.infra_error == "" for s in samples)
    rows = json.loads(harness("report", "--db", str(db), "--json", timeout=300).stdout)
    assert sorted((r["model"], r["mode"]) for r in rows) == [
        ("alpha1.5", "agentic"), ("alpha1.5", "reasoning"), ("alpha1.5", "tool")]  # fmt: skip


def test_a_trained_checkpoint_run_by_name_sits_on_the_alpha_view_at_its_level(pipeline):
    run, db = pipeline
    harness("run", "--model", "cov1", "--mode", "reasoning", "--limit", "1", "--samples", "1", "--db", str(db),
            timeout=1200)  # fmt: skip
    with Store(db) as store:
        (identity,) = [m.identity for m in store.models() if m.name == "cov1"]
    assert (identity["lineage"], identity["coverage_level"], identity["levels"], identity["steps"]) == (
        "training", 1, 4, 1)  # fmt: skip
    report = run.parent / "report.json"
    harness("report", "--db", str(db), "--resamples", "10", "--json-out", str(report), timeout=300)
    alpha = json.loads(report.read_text())["alpha"]
    placed = [
        (p["model"], p["alpha"], p["role"], p["coverage_level"]) for p in alpha if p["mode"] == "reasoning"
    ]
    # One step may teach nothing, leaving cov1 and cov4 the same weights: cov1 then ends both sides.
    assert ("cov1", 0.0, "low", 1) in placed and ("alpha1.5", 1.5, "merge", None) in placed
    assert {p["family"] for p in alpha if p["model"] == "cov1"} == {
        p["family"] for p in alpha if p["model"] == "alpha1.5"
    }
