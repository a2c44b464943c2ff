"""`harness calibrate`: references timed for real, limits = max(floor, factor × slowest test), factor and
floor recorded; a reference that fails its own tests is bad data, reported and given no limit; the
limits file is applied by --limits and changes a run's id."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from published_rows import LCB_ROWS, SUM_STDIN, code_contests_row, taco_stdin_row, write_jsonl

from codefront.harness.eval.config import Pair, RunConfig
from codefront.harness.eval.run import run_identity
from codefront.harness.models.spec import ModelSpec
from codefront.harness.problems.calibrate import apply_limits, load_limits, references_for
from codefront.harness.problems.dataset import load_problems
from codefront.harness.results.store import config_hash

HARNESS = str(Path(sys.executable).with_name("harness"))


@pytest.fixture
def dataset(tmp_path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    write_jsonl(folder / "cc.jsonl", [code_contests_row()])
    broken = {**taco_stdin_row(), "solutions": json.dumps(["print(int(input().split()[0]) * 2)\n"])}
    write_jsonl(folder / "taco.jsonl", [taco_stdin_row(), broken])
    write_jsonl(folder / "lcb.jsonl", LCB_ROWS[:2])
    return folder


def test_calibration_writes_limits_and_flags_a_broken_reference(dataset, tmp_path):
    references = tmp_path / "refs"
    references.mkdir()
    (references / "abc301_a.py").write_text(SUM_STDIN)
    out = tmp_path / "limits.json"
    done = subprocess.run([HARNESS, "calibrate", "--problems", str(dataset), "--references", str(references),
                           "--factor", "4", "--floor", "0.25", "--runs", "2", "--out", str(out)],
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    written = json.loads(out.read_text())
    assert (written["factor"], written["floor_s"], written["runs"]) == (4.0, 0.25, 2)
    assert set(written["limits"]) == {"1500_A. Sum of a List", "taco-1", "abc301_a"}
    for pid, limit in written["limits"].items():
        assert limit == pytest.approx(max(0.25, 4 * written["slowest_s"][pid]), abs=2e-3)
    assert written["bad"]["taco-2"].startswith("reference 0: WA")
    assert "bad data: taco-2" in done.stderr
    assert written["without_references"] == ["1850A"]


def test_built_in_problems_carry_their_reference():
    problem = load_problems("builtin").problems[0]
    assert references_for(problem, None) == ()
    (reference,) = references_for(problem, None, builtin=True)
    assert reference.strip()


def test_limits_replace_the_problems_own_and_change_the_run_id(tmp_path):
    problems = load_problems(str(write_jsonl(tmp_path / "test.jsonl", LCB_ROWS))).problems
    path = tmp_path / "limits.json"
    path.write_text(json.dumps({"factor": 3, "floor_s": 1, "limits": {"abc301_a": 0.75}}))
    limited = apply_limits(problems, load_limits(path))
    assert [p.time_limit_s for p in limited] == [0.75] + [p.time_limit_s for p in problems[1:]]
    spec = ModelSpec(name="m", kind="endpoint", where="http://localhost:1", model="m")
    pair = Pair("m", "reasoning")
    plain = config_hash(run_identity(RunConfig(models=("m",)), pair, "key", spec, problems))
    calibrated = config_hash(run_identity(RunConfig(models=("m",), limits=path), pair, "key", spec, limited))
    assert plain != calibrated
    path.write_text("{}")
    with pytest.raises(ValueError, match="not a limits file"):
        load_limits(path)


def test_judge_applies_a_limits_file(tmp_path):
    rows = write_jsonl(tmp_path / "test.jsonl", LCB_ROWS)
    limits = tmp_path / "limits.json"
    limits.write_text(json.dumps({"limits": {"abc301_a": 0.2}}))
    code = tmp_path / "slow.py"
    code.write_text("while True:\n    pass\n")
    done = subprocess.run([HARNESS, "judge", "--problems", str(rows), "--problem", "abc301_a", "--code", str(code),
                           "--limits", str(limits), "--json"], capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (
        result["verdict"] == "TLE" and result["tests"][0]["time_s"] < 1.5
    )  # cut at 0.2 s, not the default 2 s


def test_train_takes_a_limits_file_into_its_record(tmp_path):
    from codefront.training.config import TrainSpec
    from codefront.training.grpo import run_record
    from codefront.training.presets import preset_named

    plain = TrainSpec(Path("."), "base", 1, 4, Path("out"), preset_named("cpu-tiny"))
    calibrated = TrainSpec(Path("."), "base", 1, 4, Path("out"), preset_named("cpu-tiny"), limits={"p": 0.5})
    assert "limits" not in run_record(plain, "hash")  # checkpoints trained before --limits are reused
    assert run_record(calibrated, "hash")["limits"] == {"p": 0.5}
    bad = tmp_path / "limits.json"
    bad.write_text("[]")
    done = subprocess.run(
        [str(Path(sys.executable).with_name("harness")), "train", "--base", "smollm2-135m", "--coverage-level",
         "1", "--out", str(tmp_path / "ckpt"), "--limits", str(bad)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert (
        done.returncode == 2
        and "not a limits file" in done.stderr
        and len(done.stderr.strip().splitlines()) == 1
    )
