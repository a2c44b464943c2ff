"""The embedded loop end to end: train cov1 and cov4, merge a grid with alpha 1.5, serve `alpha1.5`
by name with vLLM and evaluate it in all three modes, then report."""

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


def test_pipeline_trains_merges_and_evaluates_alpha_1_5_by_name(tmp_path):
    db = tmp_path / "results.sqlite"
    out = subprocess.run(
        [HARNESS, "pipeline", "--max-steps", "1", "--eval-limit", "1", "--out", str(tmp_path / "run"), "--db", str(db)],
        capture_output=True, text=True, timeout=2400,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    merged = tmp_path / "run" / "merges" / "alpha1.5"
    record = json.loads((merged / "merge.json").read_text())
    assert record["alpha"] == 1.5 and record["low_hash"] and record["high_hash"]
    assert load_registry().get("alpha1.5").checkpoint_dir().resolve() == merged.resolve()
    for name in ("cov1", "cov4"):
        training = json.loads((tmp_path / "run" / name / "training.json").read_text())
        assert training["coverage_level"] == int(name[-1]) and training["steps"] == 1
    with Store(db) as store:
        samples = list(store.samples(model="alpha1.5"))
    assert sorted(s.mode for s in samples) == ["agentic", "reasoning", "tool"]
    assert all(s.result is not None and s.attempt.infra_error == "" for s in samples)
    rows = json.loads(subprocess.run([HARNESS, "report", "--db", str(db), "--json"], capture_output=True,
                                     text=True, check=True).stdout)  # fmt: skip
    assert sorted((r["model"], r["mode"]) for r in rows) == [
        ("alpha1.5", "agentic"), ("alpha1.5", "reasoning"), ("alpha1.5", "tool")]  # fmt: skip
