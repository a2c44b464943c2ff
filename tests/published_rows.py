"""Rows in the exact shapes the public datasets publish, written by tests into their temporary folders."""

from __future__ import annotations

import base64
import json
import pickle
import zlib
from pathlib import Path

SUM_STDIN = "a, b = map(int, input().split())\nprint(a + b)\n"


def lcb_row(
    question_id: str, difficulty: str, platform: str, contest_date: str, pickled: bool = False
) -> dict:
    """A LiveCodeBench `code_generation_lite` row: stdin a+b, tests as JSON strings; with `pickled`
    the private tests are base64(zlib(pickle(json))), as in the later releases."""
    private = json.dumps(
        [{"input": f"{i} {i}\n", "output": f"{2 * i}\n", "testtype": "stdin"} for i in range(3)]
    )
    if pickled:
        private = base64.b64encode(zlib.compress(pickle.dumps(private))).decode()
    return {
        "question_title": f"Sum {question_id}",
        "question_content": "Read two integers and print their sum.",
        "platform": platform,
        "question_id": question_id,
        "contest_id": f"contest-{question_id}",
        "contest_date": f"{contest_date}T00:00:00",
        "starter_code": "",
        "difficulty": difficulty,
        "public_test_cases": json.dumps([{"input": "1 2\n", "output": "3\n", "testtype": "stdin"}]),
        "private_test_cases": private,
        "metadata": json.dumps({}),
    }


LCB_ROWS = [
    lcb_row("abc301_a", "easy", "atcoder", "2023-05-13"),
    lcb_row("1850A", "medium", "codeforces", "2023-07-21", pickled=True),
    lcb_row("2778", "hard", "leetcode", "2023-08-01"),
    lcb_row("abc320_g", "hard", "atcoder", "2023-09-16", pickled=True),
]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path
