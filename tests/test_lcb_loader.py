"""LiveCodeBench rows as published, through the loader and the `harness judge` contract."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from codefront.harness.problems.dataset import load_problems
from codefront.harness.problems.loaders import ProblemLoadError
from codefront.harness.problems.loaders.lcb import decode_private_tests

FIXTURES = Path(__file__).parent / "fixtures"
ROWS = str(FIXTURES / "lcb_rows.jsonl")
HARNESS = str(Path(sys.executable).with_name("harness"))


def test_rows_load_with_both_private_test_encodings():
    problems = {p.id: p for p in load_problems(ROWS).problems}
    assert set(problems) == {"abc900_a", "9001", "9002"}
    stdin, functional, pickled = problems["abc900_a"], problems["9001"], problems["9002"]
    assert stdin.test_type == "stdin" and len(stdin.tests) == 3  # private + public
    assert functional.test_type == "functional" and functional.func_name == "countEvens"
    assert "def countEvens" in functional.starter_code
    assert pickled.tests[0].input == "[3, 2, 4]\n6"  # decoded from base64(zlib(pickle(json)))
    assert len(load_problems(ROWS, hidden="private").problems[2].tests) == 2


def test_pickled_tests_that_reference_classes_are_refused():
    import base64
    import pickle
    import zlib

    evil = base64.b64encode(zlib.compress(pickle.dumps(subprocess.Popen))).decode()
    with pytest.raises(pickle.UnpicklingError):
        decode_private_tests(evil)


def test_malformed_rows_are_reported_and_the_rest_load():
    loaded = load_problems(str(FIXTURES / "lcb_malformed.jsonl"))
    assert [p.id for p in loaded.problems] == ["abc900_a", "9001"]
    assert [(e.line, e.field) for e in loaded.errors] == [(2, "public_test_cases"), (3, "(row)")]
    assert "lcb_malformed.jsonl:2: field 'public_test_cases'" in str(loaded.errors[0])
    with pytest.raises(ProblemLoadError, match=":2: field 'public_test_cases'"):
        load_problems(str(FIXTURES / "lcb_malformed.jsonl"), strict=True)


def harness_judge(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([HARNESS, "judge", *args], capture_output=True, text=True, timeout=120)


def test_judge_command_json_contract(tmp_path):
    code = tmp_path / "sol.py"
    code.write_text(
        "class Solution:\n    def countEvens(self, nums):\n        return sum(x % 2 == 0 for x in nums)\n"
    )
    out = harness_judge(
        "--problems", ROWS, "--problem", "9001", "--code", str(code), "--json", "--levels", "2"
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert {
        "problem",
        "verdict",
        "outcome",
        "coverage",
        "levels",
        "passed",
        "total",
        "tests",
    } <= result.keys()
    assert (result["verdict"], result["outcome"], result["coverage"], result["levels"]) == (
        "AC",
        "solved",
        2,
        2,
    )
    assert set(result["tests"][0]) >= {"index", "level", "input_bytes", "verdict", "time_s", "memory_mb"}
    slow = tmp_path / "slow.py"
    slow.write_text("while True: pass\n")
    out = harness_judge(
        "--problems", ROWS, "--problem", "abc900_a", "--code", str(slow), "--json", "--time-limit", "0.2"
    )
    assert out.returncode == 0 and json.loads(out.stdout)["verdict"] == "TLE"


def test_judge_command_bad_input_is_one_line_error(tmp_path):
    code = tmp_path / "sol.py"
    code.write_text("print(1)\n")
    for args, fragment in [
        (["--problems", ROWS, "--problem", "nope", "--code", str(code)], "no problem with id 'nope'"),
        (["--problems", "missing.jsonl", "--problem", "x", "--code", str(code)], "missing.jsonl"),
        (["--problems", ROWS, "--problem", "9001", "--code", "missing.py"], "missing.py"),
        (["--problems", ROWS, "--problem", "9001", "--code", str(code), "--levels", "0"], "--levels"),
    ]:
        out = harness_judge(*args)
        assert out.returncode != 0
        assert fragment in out.stderr and len(out.stderr.strip().splitlines()) == 1, out.stderr
