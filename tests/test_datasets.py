"""Datasets by name and by file: LiveCodeBench from the hub's cache or a local copy (this machine has no
hub), with a one-line error when neither is there; CodeContests (Parquet or JSONL) and TACO/APPS rows
in their published shapes, with their limits, both test types and references that pass the judge."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from published_rows import (
    LCB_ROWS,
    apps_rows,
    code_contests_row,
    taco_call_row,
    taco_stdin_row,
    write_code_contests_parquet,
    write_jsonl,
)

from codefront.harness.judge.judge import JudgeOptions, judge_many
from codefront.harness.problems.dataset import load_problems
from codefront.harness.problems.loaders.lcb_hub import release_files
from codefront.harness.problems.loaders.taco import solution_class_for
from codefront.records import DEFAULT_TIME_LIMIT_S, ladder
from codefront.sandbox import backend_named

HARNESS = str(Path(sys.executable).with_name("harness"))
LOAD = "from codefront.harness.problems.dataset import load_problems; print(sorted(p.id for p in load_problems({!r}).problems))"


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
    out = subprocess.run([HARNESS, "run", "--model", "smollm2-135m", "--dataset", "lcb:release_v6", "--db", str(tmp_path / "r.sqlite")],
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


def judge_all(problem, sources) -> list[str]:
    pairs = [(problem, code) for code in sources]
    return [r.verdict for r in judge_many(pairs, backend_named("local"), JudgeOptions(levels=4))]


@pytest.fixture
def code_contests(tmp_path):
    parquet = write_code_contests_parquet(tmp_path / "test-00000-of-00001.parquet", [code_contests_row()])
    jsonl = write_jsonl(tmp_path / "code_contests.jsonl", [code_contests_row()])
    return parquet, jsonl


def test_code_contests_rows_load_with_their_limits_tests_and_python3_references(code_contests):
    parquet, jsonl = code_contests
    (problem,) = load_problems(str(parquet)).problems
    assert load_problems(str(jsonl)).problems == [problem]  # the same rows as JSONL
    assert (problem.time_limit_s, problem.memory_limit_mb) == (1.5, 256)
    assert len(problem.tests) == 2 + 6 and len(problem.public_tests) == 1  # private + generated hidden
    assert (problem.difficulty, problem.platform, problem.test_type) == ("a", "codeforces", "stdin")
    assert len(problem.references) == 2  # PYTHON3 only: not the Python 2 or C++ ones


def test_code_contests_references_pass_and_the_incorrect_solution_fails(code_contests):
    (problem,) = load_problems(str(code_contests[0])).problems
    wrong = code_contests_row()["incorrect_solutions"]["solution"][0]
    assert judge_all(problem, [*problem.references, wrong]) == ["AC", "AC", "WA"]


def test_generated_tests_of_many_sizes_fill_every_coverage_level(code_contests):
    (problem,) = load_problems(str(code_contests[0])).problems
    levels = [t.level for t in ladder(problem.tests, 4)]
    assert levels == [1, 1, 2, 2, 3, 3, 4, 4]


def test_taco_and_apps_rows_give_stdin_and_call_based_problems(tmp_path):
    taco = {
        p.id: p
        for p in load_problems(
            str(write_jsonl(tmp_path / "taco.jsonl", [taco_stdin_row(), taco_call_row()]))
        ).problems
    }
    stdin, call = taco["taco-1"], taco["taco-2"]
    assert (stdin.test_type, stdin.time_limit_s, stdin.memory_limit_mb) == ("stdin", 2.5, 128)
    assert (stdin.difficulty, stdin.platform, stdin.contest_date) == ("easy", "codeforces", "2021-03-04")
    assert (call.test_type, call.func_name, call.time_limit_s) == (
        "functional",
        "add_up",
        DEFAULT_TIME_LIMIT_S,
    )
    assert [(t.input, t.output) for t in call.tests] == [("1\n2", "3"), ("[3, 4]\n5", "[8, 9]")]  # unwrapped
    apps = {p.id: p for p in load_problems(str(write_jsonl(tmp_path / "apps.jsonl", apps_rows()))).problems}
    assert apps["4001"].tests[0].output == "3\n7" and apps["4001"].difficulty == "introductory"
    assert apps["4002"].test_type == "functional" and apps["4002"].tests[0].output == "5"
    for problem in (stdin, call, apps["4001"], apps["4002"]):
        assert judge_all(problem, problem.references) == ["AC"], problem.id


def test_a_top_level_function_reference_gets_a_forwarding_solution_class(tmp_path):
    (call,) = load_problems(str(write_jsonl(tmp_path / "taco.jsonl", [taco_call_row()]))).problems
    assert "class Solution:" in call.references[0] and "staticmethod(add_up)" in call.references[0]
    assert solution_class_for("class Solution:\n    pass\n", "f") == "class Solution:\n    pass\n"


def test_a_folder_of_mixed_formats_is_sorted_out_by_content(tmp_path, code_contests):
    write_jsonl(tmp_path / "lcb.jsonl", LCB_ROWS[:1])
    write_jsonl(tmp_path / "taco.jsonl", [taco_stdin_row()])
    sources = sorted(p.source for p in load_problems(str(tmp_path)).problems)
    assert sources == [
        "code_contests/codeforces",
        "code_contests/codeforces",
        "livecodebench/atcoder",
        "taco/codeforces",
    ]


def test_malformed_rows_name_the_file_line_and_field(tmp_path):
    bad = {**taco_stdin_row(), "input_output": "{not json"}
    loaded = load_problems(str(write_jsonl(tmp_path / "taco.jsonl", [taco_stdin_row(), bad])))
    assert len(loaded.problems) == 1
    assert "taco.jsonl:2: field 'input_output'" in str(loaded.errors[0])
