"""Lineage from a checkpoint directory to the α view: training.json and merge.json are read into the
model identity, stored as `harness run` stores it, and the report places each checkpoint from that."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import save_file

from codefront.harness.models import checkpoint_identity, load_registry, weights_hash
from codefront.harness.report.alpha import alpha_points
from codefront.harness.report.data import load_dataset
from codefront.harness.report.metrics import Settings, metrics_rows
from codefront.harness.results.store import Store
from codefront.records import OUTCOME_OF, Attempt, JudgeResult, Sample, Verdict

LEVELS = 4


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("CODEFRONT_MODELS", raising=False)
    monkeypatch.setenv("CODEFRONT_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def checkpoint(path: Path, scale: float, record_name: str, record: dict) -> Path:
    path.mkdir(parents=True)
    (path / "config.json").write_text(json.dumps({"model_type": "llama", "dtype": "float32"}))
    save_file({"w": np.full((2, 2), scale, dtype=np.float32)}, str(path / "model.safetensors"))
    (path / record_name).write_text(json.dumps(record))
    return path


def trained(path: Path, level: int, scale: float) -> Path:
    record = {"coverage_level": level, "levels": LEVELS, "base": "tiny", "base_hash": "h-base", "steps": 3}
    return checkpoint(path, scale, "training.json", record)


def solved_sample(model: str, model_key: str) -> Sample:
    result = JudgeResult("p0", Verdict.AC, OUTCOME_OF[Verdict.AC], LEVELS, LEVELS, 8, 8, (), 0.1, 10.0)
    return Sample("run", model, model_key, "reasoning", "p0", "easy", 0, Attempt(code="print(1)"), result)


def test_trained_checkpoints_and_merges_are_placed_from_their_own_records(isolated: Path):
    cov1, cov4 = trained(isolated / "cov1", 1, 1.0), trained(isolated / "cov4", 4, 4.0)
    trained(isolated / "cov2", 2, 2.0)
    merge = {"alpha": 0.5, "low": str(cov1), "high": str(cov4)}
    merge |= {"low_hash": weights_hash(cov1), "high_hash": weights_hash(cov4)}
    checkpoint(isolated / "alpha0.5", 2.5, "merge.json", merge)
    names = ("cov1", "cov2", "cov4", "alpha0.5")
    (isolated / "models.yaml").write_text(
        "models:\n" + "".join(f"  {n}: {{checkpoint: {n}}}\n" for n in names)
    )
    registry = load_registry()
    with Store(isolated / "results.sqlite") as store:
        for name in names:
            identity = checkpoint_identity(registry.get(name))
            store.record_model(identity.key(), name, identity.to_dict())  # as `harness run` does
            store.add(solved_sample(name, identity.key()))
        data = load_dataset(store)
    points = alpha_points(data, metrics_rows(data, Settings(ks=(1,), resamples=10)))
    assert [(p.model, p.alpha, p.role, p.coverage_level) for p in points] == [
        ("cov1", 0.0, "low", 1),
        ("cov2", pytest.approx(1 / 3), "trained", 2),
        ("alpha0.5", 0.5, "merge", None),
        ("cov4", 1.0, "high", 4),
    ]
    assert {p.family for p in points} == {"cov1 -> cov4"}
    assert points[1].to_dict()["coverage_level"] == 2
