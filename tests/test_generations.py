"""`harness judge --generations`: LiveCodeBench's generation list and problem+code / problem+completion
JSONL, judged for real, printed as JSON lines in input order, stored as a model's samples the report
reads (pass@k included); unknown problems and bad lines are one-line errors."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest
from published_rows import LCB_ROWS, SUM_STDIN, write_jsonl

from codefront.harness.eval.generations import (
    Destination,
    Generation,
    GenerationsError,
    judge_generations,
    matched,
    read_generations,
)
from codefront.harness.eval.recorder import Recorder
from codefront.harness.executors.local import LocalExecutor
from codefront.harness.judge.judge import JudgeOptions
from codefront.harness.problems.dataset import ProblemSet, load_problems
from codefront.harness.results.store import Store

HARNESS = str(Path(sys.executable).with_name("harness"))
WRONG = "print(0)\n"
SLOW = "import time\ntime.sleep(0.6)\n" + SUM_STDIN


def harness(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([HARNESS, *args], capture_output=True, text=True, timeout=120)


@pytest.fixture
def rows(tmp_path) -> Path:
    return write_jsonl(tmp_path / "test.jsonl", LCB_ROWS)


@pytest.fixture
def lcb_generations(tmp_path) -> Path:
    path = tmp_path / "generations.json"
    path.write_text(json.dumps([{"question_id": "abc301_a", "code_list": [SUM_STDIN, WRONG]},
                                {"question_id": "2778", "code_list": [SUM_STDIN, SUM_STDIN, ""]}]))  # fmt: skip
    return path


def judged_lines(out: subprocess.CompletedProcess) -> list[tuple[str, int, str]]:
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert all(
        {"problem", "verdict", "outcome", "coverage", "levels", "passed", "total", "tests"} <= r.keys()
        for r in lines
    )
    return [(r["problem"], r["sample"], r["verdict"]) for r in lines]


def test_livecodebench_generation_lists_judge_into_json_lines_in_input_order(rows, lcb_generations):
    out = harness("judge", "--problems", str(rows), "--generations", str(lcb_generations), "--json")
    assert judged_lines(out) == [
        ("abc301_a", 0, "AC"),
        ("abc301_a", 1, "WA"),
        ("2778", 0, "AC"),
        ("2778", 1, "AC"),
        ("2778", 2, "CE"),
    ]


def test_jsonl_code_and_completions_use_the_reasoning_modes_extraction(rows, tmp_path):
    lines = [{"problem": "1850A", "code": SUM_STDIN},
             {"problem": "1850A", "completion": f"Here it is:\n```python\n{SUM_STDIN}```\nDone."},
             {"problem": "abc320_g", "completion": "I could not solve it."}]  # fmt: skip
    path = write_jsonl(tmp_path / "gens.jsonl", lines)
    (*_, no_code) = read_generations(path)
    assert (no_code.code, no_code.no_code_reason) == (None, "no code block")
    out = harness("judge", "--problems", str(rows), "--generations", str(path), "--json")
    assert judged_lines(out) == [("1850A", 0, "AC"), ("1850A", 1, "AC"), ("abc320_g", 0, "CE")]


def test_selection_narrows_which_generations_are_judged(rows, lcb_generations):
    out = harness(
        "judge",
        "--problems",
        str(rows),
        "--generations",
        str(lcb_generations),
        "--json",
        "--platform",
        "leetcode",
    )
    assert [p for p, _, _ in judged_lines(out)] == ["2778"] * 3


def test_results_stream_in_input_order_even_when_the_first_is_slowest(rows, lcb_generations):
    problems = {p.id: p for p in load_problems(str(rows)).problems}
    items = [(problems[pid], Generation(pid, 0, code)) for pid, code in
             (("abc301_a", SLOW), ("2778", SUM_STDIN), ("1850A", WRONG))]  # fmt: skip

    async def replay() -> list:
        executor = LocalExecutor()
        try:
            with Store(":memory:") as store:
                scorer = executor.scorer("local", JudgeOptions())
                samples = judge_generations(
                    lcb_generations, items, scorer, Recorder(store), Destination("", {})
                )
                return [s async for s in samples]
        finally:
            executor.close()

    samples = asyncio.run(replay())
    assert [(s.problem, s.result.verdict) for s in samples] == [
        ("abc301_a", "AC"),
        ("2778", "AC"),
        ("1850A", "WA"),
    ]
    assert [s.attempt.code for s in samples] == [g.code for _, g in items]


def test_the_same_file_stored_twice_is_one_run_printed_whole_again(rows, lcb_generations, tmp_path):
    db = tmp_path / "twice.sqlite"
    args = ["judge", "--problems", str(rows), "--generations", str(lcb_generations), "--json", "--db", str(db),
            "--model", "gpt-x"]  # fmt: skip
    first, second = judged_lines(harness(*args)), judged_lines(harness(*args))
    assert first == second and len(first) == 5
    with Store(db) as store:
        assert len(list(store.samples())) == 5 and len(store.runs()) == 1
        (run,) = store.runs()
        assert len(run.sessions) == 2 and run.sessions[0]["seed"] is None


def test_stored_generations_are_a_models_samples_in_the_report_with_pass_at_k(
    rows, lcb_generations, tmp_path
):
    db = tmp_path / "results.sqlite"
    out = harness(
        "judge",
        "--problems",
        str(rows),
        "--generations",
        str(lcb_generations),
        "--db",
        str(db),
        "--model",
        "gpt-x",
    )
    assert out.returncode == 0, out.stderr
    with Store(db) as store:
        samples = list(store.samples(model="gpt-x"))
    assert {(s.mode, s.problem, s.index) for s in samples} >= {
        ("generations", "abc301_a", 1),
        ("generations", "2778", 2),
    }
    assert len(samples) == 5 and all(s.result is not None for s in samples)
    report = harness("report", "--db", str(db), "--json", "--k", "1,2")
    assert report.returncode == 0, report.stderr
    (row,) = json.loads(report.stdout)
    assert (row["model"], row["mode"], row["problems"], row["samples"]) == ("gpt-x", "generations", 2, 5)
    assert row["pass_at_2"] == pytest.approx(1.0) and row["pass_at_1"] < 1.0


def test_unknown_problems_are_one_error_naming_them_unless_skipped(rows, tmp_path):
    path = write_jsonl(tmp_path / "gens.jsonl", [{"problem": "nope", "code": WRONG}, {"problem": "zilch", "code": WRONG},
                                                 {"problem": "2778", "code": SUM_STDIN}])  # fmt: skip
    out = harness("judge", "--problems", str(rows), "--generations", str(path), "--json")
    assert out.returncode == 2 and "no problem with id 'nope', 'zilch'" in out.stderr
    assert out.stderr.strip().count("\n") == 0
    skipped = harness(
        "judge", "--problems", str(rows), "--generations", str(path), "--json", "--skip-unknown"
    )
    assert judged_lines(skipped) == [("2778", 0, "AC")]


def test_lines_that_are_not_json_name_the_file_and_line(tmp_path):
    path = tmp_path / "gens.jsonl"
    path.write_text(json.dumps({"problem": "a", "code": "x"}) + "\n{oops\n")
    with pytest.raises(GenerationsError, match=r"gens.jsonl:2: not valid JSON"):
        read_generations(path)
    with pytest.raises(GenerationsError, match="needs a 'code' or a 'completion'"):
        read_generations(write_jsonl(tmp_path / "other.jsonl", [{"problem": "a", "answer": "x"}]))
    with pytest.raises(GenerationsError, match="skip-unknown"):
        matched(
            read_generations(write_jsonl(tmp_path / "g.jsonl", [{"problem": "a", "code": "x"}])),
            ProblemSet(()),
        )
