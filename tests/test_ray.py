"""`--executor ray` on a real two-node cluster on loopback, inside a private network namespace
(tests/ray_loopback.py): every sample stored once and judged, work on both nodes, a node killed
mid-sweep loses nothing, and no Ray process is left."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import pytest
from ray_loopback import in_private_network, ray_processes

HERE = Path(__file__).resolve().parent
PAIRS = {(m, mode) for m in ("good", "bad") for mode in ("reasoning", "tool")}
pytestmark = pytest.mark.slow


def sweep(tmp_path: Path, *flags: str) -> dict:
    out = tmp_path / "report.json"
    done = in_private_network([sys.executable, str(HERE / "ray_loopback.py"), str(out), *flags], timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    assert not ray_processes(), "a Ray process outlived the cluster"
    return json.loads(out.read_text())


def assert_complete(report: dict, samples: int) -> None:
    assert report["rc"] == 0, report["output"]
    keys = Counter((m, mode, p, i) for m, mode, p, i, _, _ in report["samples"])
    assert set(keys) == {
        (m, mode, f"add{n}", i) for m, mode in PAIRS for n in (1, 2, 3) for i in range(samples)
    }
    for model, _, _, _, verdict, infra in report["samples"]:
        assert infra == "" and verdict == ("AC" if model == "good" else "WA")
    assert len(report["placements"]) == len(keys)
    assert all(records == 1 for *_, records in report["placements"])  # stored exactly once


def test_a_sweep_runs_on_both_nodes(tmp_path: Path):
    report = sweep(tmp_path)
    assert_complete(report, samples=1)
    episode_nodes = {row[4] for row in report["placements"]}
    judge_nodes = {row[5] for row in report["placements"]} - {"cache"}
    assert len(episode_nodes) == 2 and len(judge_nodes) == 2


def test_a_node_killed_mid_sweep_loses_nothing(tmp_path: Path):
    report = sweep(tmp_path, "--kill-second", "--samples", "3")
    assert report["killed"] >= 1 and report["stored_before_kill"] < 2 * 2 * 3 * 3
    assert_complete(report, samples=3)
