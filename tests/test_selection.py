"""Selection on LiveCodeBench rows: difficulty, contest-date window (inclusive edges), platform, ids and
limit combined; values the data lacks and empty selections are one-line errors; the selection is in a
run's id and a training run's record."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from published_rows import LCB_ROWS, write_jsonl

from codefront.harness.config import load_config
from codefront.harness.eval.config import Pair, RunConfig
from codefront.harness.eval.run import run_identity
from codefront.harness.models.spec import ModelSpec
from codefront.harness.problems.dataset import load_problems
from codefront.harness.problems.selection import Selection, SelectionError, select
from codefront.harness.results.store import config_hash

HARNESS = str(Path(sys.executable).with_name("harness"))


@pytest.fixture
def problems(tmp_path):
    return load_problems(str(write_jsonl(tmp_path / "test.jsonl", LCB_ROWS))).problems


def parsed(**texts) -> Selection:
    """A selection as the command line gives it: text per setting."""
    return load_config(Selection, "run", flags=texts)


def ids(loaded, **options) -> list[str]:
    return [p.id for p in select(loaded, parsed(**options))]


def test_rows_carry_their_date_platform_and_difficulty(problems):
    first = problems[0]
    assert (first.contest_date[:10], first.platform, first.difficulty) == ("2023-05-13", "atcoder", "easy")


def test_difficulty_platform_and_date_window_with_inclusive_edges(problems):
    assert ids(problems, difficulty="hard") == ["2778", "abc320_g"]
    assert ids(problems, difficulty="Easy,medium") == ["abc301_a", "1850A"]
    assert ids(problems, platform="atcoder") == ["abc301_a", "abc320_g"]
    assert ids(problems, since="2023-07-21") == ["1850A", "2778", "abc320_g"]  # the edge day is in
    assert ids(problems, until="2023-07-21") == ["abc301_a", "1850A"]
    assert ids(problems, since="2023-07-21", until="2023-08-01") == ["1850A", "2778"]
    assert ids(problems, difficulty="hard", platform="atcoder", since="2023-09-16") == ["abc320_g"]


def test_ids_and_limit_combine_with_the_filters(problems):
    assert ids(problems, problems="abc320_g,abc301_a", difficulty="hard") == ["abc320_g"]
    assert ids(problems, difficulty="hard", limit=1) == ["2778"]


def test_values_the_data_lacks_are_errors_listing_what_it_has(problems):
    with pytest.raises(
        SelectionError, match=r"--difficulty: no problem has extreme \(the data has: easy, hard, medium\)"
    ):
        ids(problems, difficulty="extreme")
    with pytest.raises(SelectionError, match=r"the data has: atcoder, codeforces, leetcode"):
        ids(problems, platform="topcoder")
    with pytest.raises(SelectionError, match="no problem with id 'nope'"):
        ids(problems, problems="nope")


def test_empty_selections_and_bad_dates_are_errors(problems):
    with pytest.raises(SelectionError, match="contest dates run from 2023-05-13 to 2023-09-16"):
        ids(problems, since="2024-01-01")
    with pytest.raises(SelectionError, match="matches no problem"):
        ids(problems, limit=0)
    with pytest.raises(ValueError, match="--since: 'last week' is not a date"):
        parsed(since="last week")
    with pytest.raises(SelectionError, match="is after"):
        parsed(since="2024-02-01", until="2024-01-01")
    builtin = load_problems("builtin").problems
    with pytest.raises(SelectionError, match="no problem in the data has a contest date"):
        select(builtin, Selection(since=date(2020, 1, 1)))


def run_id(problems, selection: Selection) -> str:
    spec = ModelSpec(name="m", kind="endpoint", where="http://localhost:1", model="m")
    config = RunConfig(models=("m",), selection=selection)
    return config_hash(run_identity(config, Pair("m", "reasoning"), "key", spec, problems))


def test_the_selection_is_part_of_the_run_id(problems):
    everything = run_id(problems, Selection())
    assert run_id(problems, Selection()) == everything
    narrowed = {run_id(problems, parsed(**o)) for o in ({"difficulty": "hard"}, {"platform": "atcoder"},
                                                                  {"since": "2023-06-01"}, {"until": "2023-06-01"})}  # fmt: skip
    assert len(narrowed) == 4 and everything not in narrowed
    # Runs made before the date and platform filters existed keep their ids: only limit and ids by default.
    assert Selection(limit=3).config() == {"limit": 3, "problems": []}


def test_a_training_record_carries_a_narrowed_selection_only():
    from codefront.training.config import TrainSpec
    from codefront.training.grpo import run_record
    from codefront.training.presets import preset_named

    spec = TrainSpec(Path("."), "base", 1, 4, Path("out"), preset_named("cpu-tiny"))
    assert "selection" not in run_record(spec, "hash")
    narrowed = TrainSpec(
        Path("."),
        "base",
        1,
        4,
        Path("out"),
        preset_named("cpu-tiny"),
        selection=Selection(difficulty=("hard",)),
    )
    assert run_record(narrowed, "hash")["selection"]["difficulty"] == ["hard"]


def test_run_command_reports_a_bad_selection_in_one_line(tmp_path):
    rows = write_jsonl(tmp_path / "test.jsonl", LCB_ROWS)
    out = subprocess.run([HARNESS, "run", "--model", "smollm2-135m", "--dataset", str(rows), "--platform", "topcoder",
                          "--db", str(tmp_path / "r.sqlite")], capture_output=True, text=True, timeout=60)  # fmt: skip
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0
    assert "--platform: no problem has topcoder (the data has: atcoder, codeforces, leetcode)" in out.stderr
