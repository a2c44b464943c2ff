"""The embedded loop end to end: `harness pipeline` trains cov1 and cov4 for 2 steps on the starter
tier, merges a grid with alpha 1.5, and evaluates every checkpoint it made (each set of weights
once); the report then holds every checkpoint, and its alpha view the trained endpoints at their
coverage levels. Reasoning mode only: a vLLM start-up per set of weights is most of the cost, and in
all three modes the run took over 25 minutes here; each mode against vLLM has its own test."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from codefront.harness.models import load_registry
from codefront.harness.results.store import Store
from codefront.training.pipeline_eval import SHARED_WEIGHTS

pytestmark = [pytest.mark.vllm, pytest.mark.slow]
HARNESS = str(Path(sys.executable).with_name("harness"))
MODES = ["reasoning"]
MADE = {"smollm2-135m", "cov1", "cov4", "alpha0", "alpha0.5", "alpha1", "alpha1.5"}


def harness(*args: str, timeout: float) -> subprocess.CompletedProcess:
    out = subprocess.run([HARNESS, *args], capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    """(the pipeline's output folder, its results store, its report), after one `harness pipeline` run."""
    root = tmp_path_factory.mktemp("pipeline")
    run, db, report = root / "run", root / "results.sqlite", root / "report.json"
    steps = ("--max-steps", "2", "--eval-limit", "1", "--samples", "1", "--modes", ",".join(MODES))
    harness("pipeline", *steps, "--out", str(run), "--db", str(db), timeout=2400)
    harness("report", "--db", str(db), "--resamples", "10", "--json-out", str(report), timeout=300)
    return run, db, json.loads(report.read_text())


def test_pipeline_trains_on_the_starter_tier_and_merges_by_name(pipeline):
    run, _, _ = pipeline
    merged = run / "merges" / "alpha1.5"
    record = json.loads((merged / "merge.json").read_text())
    assert record["alpha"] == 1.5 and record["low_hash"] and record["high_hash"]
    registry = load_registry()
    assert registry.get("alpha1.5").checkpoint_dir().resolve() == merged.resolve()
    # Every checkpoint made is sampled as its base is: the report compares weights, not settings.
    base = registry.get("smollm2-135m").sampling()
    assert all(registry.get(name).sampling() == base for name in ("cov1", "cov4", "alpha1.5"))
    for name in ("cov1", "cov4"):
        training = json.loads((run / name / "training.json").read_text())
        assert training["coverage_level"] == int(name[-1]) and training["steps"] == 2
        assert training["selection"]["difficulty"] == ["starter"]
        held_out, trained_on = set(training["eval_problems"]), set(training["train_problems"])
        assert held_out and trained_on and not held_out & trained_on


def test_every_checkpoint_made_is_in_the_report_and_no_weights_are_sampled_twice(pipeline):
    _, db, report = pipeline
    rows = report["rows"]
    for mode in MODES:
        names = [name for r in rows if r["mode"] == mode for name in r["model"].split(SHARED_WEIGHTS)]
        assert sorted(names) == sorted(MADE), mode  # every checkpoint, each in one row
    labels = {r["model"] for r in rows}
    # A merge at alpha 0 or 1 has its parent's tensors: it is that parent's row, not a second evaluation.
    assert any({"cov1", "alpha0"} <= set(label.split(SHARED_WEIGHTS)) for label in labels)
    assert any({"cov4", "alpha1"} <= set(label.split(SHARED_WEIGHTS)) for label in labels)
    with Store(db) as store:
        samples = list(store.samples())
    per_weights = Counter((s.model_key, s.mode) for s in samples)
    assert set(per_weights.values()) == {1} and len(per_weights) == len(rows)  # 1 problem x 1 sample each
    assert all(s.result is not None and s.attempt.infra_error == "" for s in samples)
    assert sorted(s.mode for s in samples if s.model == "alpha1.5") == MODES


def test_the_alpha_view_marks_the_trained_endpoints_at_their_levels(pipeline):
    _, _, report = pipeline
    placed = {
        (p["alpha"], p["role"]): (set(p["model"].split(SHARED_WEIGHTS)), p["coverage_level"])
        for p in report["alpha"]
        if p["mode"] == "reasoning"
    }
    low_names, low_level = placed[(0.0, "low")]
    assert {"cov1", "alpha0"} <= low_names and low_level == 1
    assert placed[(0.5, "merge")] == ({"alpha0.5"}, None) and placed[(1.5, "merge")] == ({"alpha1.5"}, None)
    high_names, high_level = placed[(1.0, "high")]
    # Two steps may teach nothing, leaving cov1 and cov4 the same weights: one row then ends both sides.
    assert {"cov4", "alpha1"} <= high_names and high_level in (4, 1 if "cov1" in high_names else 4)
