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


SUM_LIST = "input()\nprint(sum(map(int, input().split())))\n"


def _list_case(n: int) -> tuple[str, str]:
    numbers = [(7 * i) % 1000 for i in range(n)]
    return f"{n}\n{' '.join(map(str, numbers))}\n", f"{sum(numbers)}\n"


def _cases(sizes: list[int]) -> dict[str, list[str]]:
    pairs = [_list_case(n) for n in sizes]
    return {"input": [i for i, _ in pairs], "output": [o for _, o in pairs]}


def code_contests_row() -> dict:
    """A deepmind/code_contests row: every published field, tests as {input: [...], output: [...]},
    solutions with the language enum (1 PYTHON, 2 CPP, 3 PYTHON3)."""
    return {
        "name": "1500_A. Sum of a List",
        "description": "Given n and n integers, print their sum.",
        "public_tests": _cases([3]),
        "private_tests": _cases([1, 5]),
        "generated_tests": _cases([2, 10, 40, 200, 1000, 5000]),
        "source": 2,
        "difficulty": 7,
        "solutions": {
            "language": [3, 1, 2, 3],
            "solution": [
                SUM_LIST,
                "input()\nprint sum(map(int, raw_input().split()))\n",
                "int main(){}",
                "import sys\ndata = sys.stdin.read().split()\nprint(sum(map(int, data[1:])))\n",
            ],
        },  # fmt: skip
        "incorrect_solutions": {
            "language": [3],
            "solution": ["input()\nprint(max(map(int, input().split())))\n"],
        },
        "cf_contest_id": 1500,
        "cf_index": "A",
        "cf_points": 500.0,
        "cf_rating": 800,
        "cf_tags": ["implementation"],
        "is_description_translated": False,
        "untranslated_description": "",
        "time_limit": {"seconds": 1, "nanos": 500000000},
        "memory_limit_bytes": 256 << 20,
        "input_file": "",
        "output_file": "",
    }


def write_code_contests_parquet(path: Path, rows: list[dict]) -> Path:
    """With the schema the Hugging Face copy's Parquet files have."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    tests = pa.struct([("input", pa.list_(pa.string())), ("output", pa.list_(pa.string()))])
    solutions = pa.struct([("language", pa.list_(pa.int64())), ("solution", pa.list_(pa.string()))])
    schema = pa.schema([
        ("name", pa.string()), ("description", pa.string()), ("public_tests", tests), ("private_tests", tests),
        ("generated_tests", tests), ("source", pa.int64()), ("difficulty", pa.int64()), ("solutions", solutions),
        ("incorrect_solutions", solutions), ("cf_contest_id", pa.int64()), ("cf_index", pa.string()),
        ("cf_points", pa.float32()), ("cf_rating", pa.int64()), ("cf_tags", pa.list_(pa.string())),
        ("is_description_translated", pa.bool_()), ("untranslated_description", pa.string()),
        ("time_limit", pa.struct([("seconds", pa.int64()), ("nanos", pa.int64())])),
        ("memory_limit_bytes", pa.int64()), ("input_file", pa.string()), ("output_file", pa.string()),
    ])  # fmt: skip
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)
    return path


def taco_stdin_row() -> dict:
    """A BAAI/TACO row: input_output and solutions are JSON strings, limits are strings."""
    return {
        "question": "Read two integers and print their sum.",
        "solutions": json.dumps([SUM_STDIN]),
        "starter_code": "",
        "input_output": json.dumps(
            {"inputs": ["1 2\n", "10 20\n", "5 5\n"], "outputs": ["3\n", "30\n", "10\n"]}
        ),
        "difficulty": "EASY",
        "raw_tags": "['Mathematics']",
        "name": "sum-two",
        "source": "codeforces",
        "tags": "['Mathematics']",
        "skill_types": "[]",
        "url": "https://codeforces.com/problemset/problem/1/A",
        "Expected Auxiliary Space": None,
        "time_limit": "2.5 seconds",
        "date": "2021-03-04",
        "picture_num": "0",
        "memory_limit": "128 megabytes",
        "Expected Time Complexity": None,
    }


def taco_call_row() -> dict:
    """A call-based TACO row: a top-level function, each expected value wrapped in a list (as APPS does)."""
    io = {"fn_name": "add_up", "inputs": [[1, 2], [[3, 4], 5]], "outputs": [[3], [[8, 9]]]}
    return {**taco_stdin_row(), "question": "Add b to a (or to each element of a).",
            "solutions": json.dumps(["def add_up(a, b):\n    return [x + b for x in a] if isinstance(a, list) else a + b\n"]),
            "starter_code": "def add_up(a, b):\n\t", "input_output": json.dumps(io), "difficulty": "MEDIUM",
            "name": "add-up", "time_limit": None, "memory_limit": None}  # fmt: skip


def apps_rows() -> list[dict]:
    """codeparrot/apps rows: a stdin row whose outputs are lists of lines, and a LeetCode-style
    call-based row with a Solution class and unwrapped outputs."""
    stdin_io = {"inputs": ["2\n1 2\n3 4\n"], "outputs": [["3", "7"]]}
    call_io = {"fn_name": "maxProfit", "inputs": [[[7, 1, 5, 3, 6, 4]], [[7, 6, 4, 3, 1]]], "outputs": [5, 0]}
    profit = ("class Solution:\n    def maxProfit(self, prices):\n        best, low = 0, prices[0]\n"
              "        for p in prices:\n            low = min(low, p)\n            best = max(best, p - low)\n"
              "        return best\n")  # fmt: skip
    pairs = "t = int(input())\nfor _ in range(t):\n    a, b = map(int, input().split())\n    print(a + b)\n"
    return [
        {"problem_id": 4001, "question": "Sum each of t pairs.", "solutions": json.dumps([pairs]),
         "input_output": json.dumps(stdin_io), "difficulty": "introductory", "url": "https://x/4001", "starter_code": ""},
        {"problem_id": 4002, "question": "Best single trade.", "solutions": json.dumps([profit]),
         "input_output": json.dumps(call_io), "difficulty": "interview", "url": "https://x/4002",
         "starter_code": "class Solution:\n    def maxProfit(self, prices: List[int]) -> int:\n        "},
    ]  # fmt: skip
