"""Datasets by name and by file: LiveCodeBench from the hub's cache or a local copy (this machine has no
hub), with a one-line error when neither is there."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from published_rows import LCB_ROWS, write_jsonl

from codefront.harness.loaders import load_problems
from codefront.harness.loaders.lcb_hub import release_files

HARNESS = str(Path(sys.executable).with_name("harness"))
LOAD = "from codefront.harness.loaders import load_problems; print(sorted(p.id for p in load_problems({!r}).problems))"


def test_version_tags_name_the_published_files():
    assert release_files("release_v1") == ["test.jsonl"]
    assert release_files("release_v3") == ["test.jsonl", "test2.jsonl", "test3.jsonl"]
    assert release_files("release_latest") == release_files("release_v6")
    assert release_files("v6") == ["test6.jsonl"]
    assert release_files("v2_v3") == ["test2.jsonl", "test3.jsonl"]
    with pytest.raises(ValueError, match="unknown LiveCodeBench version"):
        release_files("release_v9")


def offline_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "HF_HOME": str(tmp_path / "hf"), "HF_HUB_OFFLINE": "1", **extra}


def test_offline_without_a_cache_says_in_one_line_how_to_use_a_local_copy(tmp_path):
    started = time.monotonic()
    out = subprocess.run([HARNESS, "run", "--model", "m", "--dataset", "lcb:release_v6", "--db", str(tmp_path / "r.sqlite")],
                         capture_output=True, text=True, timeout=60, env=offline_env(tmp_path))  # fmt: skip
    assert out.returncode == 2 and out.stderr.strip().count("\n") == 0, out.stderr
    assert "unreachable" in out.stderr and "--dataset path/to/test6.jsonl" in out.stderr
    assert time.monotonic() - started < 30


def test_an_unreachable_hub_fails_fast_not_after_retries(tmp_path):
    env = offline_env(tmp_path, HF_ENDPOINT="http://127.0.0.1:9")  # nothing listens on the discard port
    env.pop("HF_HUB_OFFLINE")
    started = time.monotonic()
    out = subprocess.run(
        [sys.executable, "-c", LOAD.format("lcb:v6")], capture_output=True, text=True, timeout=60, env=env
    )
    assert out.returncode != 0 and "DatasetUnavailable" in out.stderr
    assert time.monotonic() - started < 15


def test_a_cached_release_loads_offline(tmp_path):
    """The hub cache's layout: refs/main names a snapshot folder that holds the files."""
    repo = tmp_path / "hf" / "hub" / "datasets--livecodebench--code_generation_lite"
    commit = "0" * 40
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(commit)
    snapshot = repo / "snapshots" / commit
    snapshot.mkdir(parents=True)
    write_jsonl(snapshot / "test.jsonl", LCB_ROWS[:2])
    write_jsonl(snapshot / "test2.jsonl", LCB_ROWS[2:])
    out = subprocess.run([sys.executable, "-c", LOAD.format("lcb:release_v2")], capture_output=True, text=True,
                         timeout=60, env=offline_env(tmp_path))  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(sorted(row["question_id"] for row in LCB_ROWS))


def test_a_local_copy_loads_as_a_file_or_a_folder(tmp_path):
    write_jsonl(tmp_path / "test.jsonl", LCB_ROWS[:2])
    single = write_jsonl(tmp_path / "test6.jsonl", LCB_ROWS[2:])
    assert [p.id for p in load_problems(str(single)).problems] == ["2778", "abc320_g"]
    assert len(load_problems(str(tmp_path)).problems) == len(LCB_ROWS)
