"""Results store: resume bookkeeping, infra errors kept apart, concurrent writers, judge cache, the typed
records it maps to columns by name, and stores written by another version."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
from dataclasses import MISSING, fields, replace

import pytest
from typer.testing import CliRunner

from codefront.agents.extract import extract_code
from codefront.harness.cli import app
from codefront.harness.judge.cache import normalized_code_hash
from codefront.harness.results.degeneration import detect, is_looping
from codefront.harness.results.schema import SCHEMA_VERSION, TABLES, sample_row
from codefront.harness.results.store import Store, StoreError
from codefront.records import (
    OUTCOME_OF,
    STEP_KINDS,
    Attempt,
    Call,
    Degeneration,
    End,
    JudgeResult,
    Message,
    ModelRecord,
    ModelReply,
    Outcome,
    Sample,
    ToolRun,
    Verdict,
)
from codefront.records import TestResult as PerTest


def result(verdict: Verdict = Verdict.AC) -> JudgeResult:
    return JudgeResult(
        "p", verdict, OUTCOME_OF[verdict], 4 if verdict == Verdict.AC else 1, 4, 3, 3, (), 0.1, 9.0
    )


def sample(index: int, verdict: Verdict | None = Verdict.AC, run_id: str = "r", problem: str = "p") -> Sample:
    attempt = Attempt(
        code="print(1)", completion="```python\nprint(1)\n```", infra_error="" if verdict else "down"
    )
    return Sample(run_id, "m", "key", "reasoning", problem, "easy", index, attempt,
                  result(verdict) if verdict else None)  # fmt: skip


def test_round_trip_and_resume_bookkeeping(tmp_path):
    with Store(tmp_path / "r.sqlite") as store:
        run_id = store.start_run({"model": "m", "samples": 3}, {"seed": 0})
        assert run_id == store.start_run({"samples": 3, "model": "m"}, {"seed": 0})  # same config, same run
        assert run_id != store.start_run({"model": "m", "samples": 4}, {"seed": 0})
        assert [len(r.sessions) for r in store.runs() if r.run_id == run_id] == [2]  # each start a session
        store.add(sample(0))
        store.add(sample(1, Verdict.TLE))
        store.add(sample(2, None))  # endpoint down: not finished, retried on resume
        assert store.finished("r", "key", "reasoning") == {("p", 0), ("p", 1)}
        rows = list(store.samples())
        assert [s.result.verdict if s.result else None for s in rows] == [Verdict.AC, Verdict.TLE, None]
        assert rows[2].attempt.infra_error == "down" and rows[0].attempt.code == "print(1)"
        store.add(sample(2, Verdict.WA))  # the retry replaces the infra error
        assert len(store.finished("r", "key", "reasoning")) == 3


def _writer(path: str, worker: int) -> None:
    with Store(path) as store:
        for i in range(25):
            store.add(sample(worker * 100 + i))


def test_concurrent_writers_lose_nothing(tmp_path):
    path = str(tmp_path / "c.sqlite")
    Store(path).close()
    procs = [multiprocessing.Process(target=_writer, args=(path, w)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
        assert p.exitcode == 0
    with Store(path) as store:
        assert len(list(store.samples())) == 100


def test_judge_cache_keys_ignore_whitespace_noise(tmp_path):
    assert normalized_code_hash("print(1)  \r\n\n") == normalized_code_hash("print(1)")
    assert normalized_code_hash("print(1)") != normalized_code_hash("print(2)")
    with Store(tmp_path / "j.sqlite") as store:
        assert store.cached_result("k") is None
        store.cache_result("k", result(Verdict.MLE))
        assert store.cached_result("k") == result(Verdict.MLE)


def test_extract_code_takes_the_last_complete_block():
    text = "plan\n```python\nprint(1)\n```\nbetter:\n```py\nprint(2)\n```\n"
    assert extract_code(text) == ("print(2)", "")
    assert extract_code("```\nx = 1\n```") == ("x = 1", "")
    assert extract_code("just words") == (None, "no code block")
    assert extract_code("```python\nprint(1)")[0] is None
    assert "unterminated" in extract_code("```python\nprint(1)")[1]
    assert extract_code("  ") == (None, "empty completion")
    assert extract_code("```text\nhello\n```") == (None, "no Python code block")


def test_degeneration_signals():
    looping = "Let me think.\n" + "I will add one.\n" * 8
    signals = detect(Attempt(code=None, completion=looping, finish_reason="length"))
    assert signals.hit_max_tokens and signals.loop and signals.no_code and not signals.empty
    assert not is_looping("a\nb\nc\n" * 3)
    assert detect(Attempt(code=None, completion="")).empty


# ---- typed records and the on-disk schema ----

CALL = Call("call-0", "python", '{"code": "6 * 7"}')
TRAJECTORY = (
    Message(role="system", content="You solve problems.", t_start=0.0, duration_s=0.0),
    Message(role="user", content="Add two numbers.", t_start=0.0, duration_s=0.0),
    ModelReply(
        content="Let me try.",
        tool_calls=(CALL,),
        finish_reason="tool_calls",
        prompt_tokens=50,
        completion_tokens=9,
        t_start=0.001,
        duration_s=0.5,
    ),
    ToolRun(
        name="python",
        call_id="call-0",
        arguments={"code": "6 * 7"},
        result="42\n",
        error=True,
        t_start=0.501,
        duration_s=0.02,
    ),
    Message(role="user", content="Keep working.", t_start=0.6, duration_s=0.0),
    End(reason="submitted", t_start=0.7, duration_s=0.0),
)


def full_sample() -> Sample:
    """A sample in which every field, down to the nested records, differs from its default."""
    test = PerTest(
        index=2, level=1, input_bytes=12, verdict=Verdict.WA, time_s=0.25, memory_mb=7.5, detail="x"
    )
    judged = JudgeResult(problem="p", verdict=Verdict.WA, outcome=Outcome.CORRECTNESS_FAILURE, coverage=1,
                         levels=4, passed=2, total=3, tests=(test,), time_s=0.25, memory_mb=7.5, detail="wrong")  # fmt: skip
    attempt = Attempt(code="print(42)", completion="```python\nprint(42)\n```", no_code_reason="none needed",
                      trajectory=TRAJECTORY, prompt="Add two numbers.", prompt_tokens=50, completion_tokens=9,
                      cost_usd=0.002, finish_reason="submitted", latency_s=0.7, infra_error="flaky once")  # fmt: skip
    degeneration = Degeneration(hit_max_tokens=True, empty=True, no_code=True, loop=True)
    return Sample(RUN_ID, "m", "key-1", "agentic", "p", "hard", 3, attempt, judged, degeneration)


def non_default_fields(record: object) -> list[str]:
    defaults = {f.name: f.default for f in fields(record) if f.default is not MISSING}
    defaults |= {f.name: f.default_factory() for f in fields(record) if f.default_factory is not MISSING}
    return [name for name, default in defaults.items() if getattr(record, name) == default]


def test_the_round_trip_fixture_sets_every_field():
    s = full_sample()
    assert non_default_fields(s) == non_default_fields(s.attempt) == non_default_fields(s.degeneration) == []
    assert {step.role for step in TRAJECTORY} == set(STEP_KINDS)


def test_every_sample_field_round_trips_by_column_name(tmp_path):
    """Columns are matched by name: a table whose columns are in another order reads and writes the same."""
    with Store(tmp_path / "plain.sqlite") as store:
        columns = [row[1] for row in store.db.execute("PRAGMA table_info(samples)")]
    assert sorted(columns) == sorted(sample_row(full_sample()))
    path = tmp_path / "shuffled.sqlite"
    db = sqlite3.connect(path)
    key = "PRIMARY KEY (run_id, model_key, mode, problem, sample)"
    db.execute(f"CREATE TABLE samples ({', '.join(reversed(columns))}, {key})")
    for statement in TABLES:
        db.execute(statement)
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
    db.close()
    with Store(path) as store:
        store.add(full_sample())
        assert list(store.samples()) == [full_sample()]
        assert list(store.samples(problem="p", index=3)) == [full_sample()]
        assert list(store.samples(mode="reasoning")) == list(store.samples(index=0)) == []


def test_a_typed_trajectory_round_trips_and_stays_readable_json(tmp_path):
    with Store(tmp_path / "t.sqlite") as store:
        store.add(full_sample())
        (stored,) = store.samples()
        assert stored.attempt.trajectory == TRAJECTORY
        assert [type(step) for step in stored.attempt.trajectory] == [type(step) for step in TRAJECTORY]
        raw = json.loads(store.db.execute("SELECT trajectory FROM samples").fetchone()[0])
    assert [step["role"] for step in raw] == ["system", "user", "assistant", "tool", "user", "end"]
    assert raw[2]["tool_calls"] == [{"id": "call-0", "name": "python", "arguments": '{"code": "6 * 7"}'}]
    assert raw[3]["result"] == "42\n" and raw[5]["reason"] == "submitted"


# The first release's layout and writes, verbatim: an unversioned file, positional inserts.
FIRST_RELEASE_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY, config_hash TEXT NOT NULL, config TEXT NOT NULL, created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS models (
    model_key TEXT PRIMARY KEY, name TEXT NOT NULL, identity TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS samples (
    run_id TEXT NOT NULL, model TEXT NOT NULL, model_key TEXT NOT NULL, mode TEXT NOT NULL,
    problem TEXT NOT NULL, difficulty TEXT NOT NULL, sample INTEGER NOT NULL,
    prompt TEXT, completion TEXT, code TEXT, no_code_reason TEXT, trajectory TEXT,
    prompt_tokens INTEGER, completion_tokens INTEGER, cost_usd REAL, latency_s REAL, finish_reason TEXT,
    verdict TEXT, outcome TEXT, coverage INTEGER, levels INTEGER, passed INTEGER, total INTEGER,
    judge TEXT, degeneration TEXT, infra_error TEXT, created_at REAL NOT NULL,
    PRIMARY KEY (run_id, model_key, mode, problem, sample)
);
CREATE INDEX IF NOT EXISTS samples_by_model ON samples (model, mode);
CREATE TABLE IF NOT EXISTS judge_cache (key TEXT PRIMARY KEY, result TEXT NOT NULL);
"""
FIRST_RELEASE_TRAJECTORY = [
    {"role": "system", "t_start": 0.0, "duration_s": 0.0, "content": "You solve problems."},
    {"role": "user", "t_start": 0.0, "duration_s": 0.0, "content": "Add two numbers."},
    {"role": "assistant", "t_start": 0.001, "duration_s": 0.5, "content": "Let me try.",
     "tool_calls": [{"id": "call-0", "name": "python", "arguments": '{"code": "6 * 7"}'}],
     "finish_reason": "tool_calls", "prompt_tokens": 50, "completion_tokens": 9},
    {"role": "tool", "t_start": 0.501, "duration_s": 0.02, "name": "python", "call_id": "call-0",
     "arguments": {"code": "6 * 7"}, "result": "42\n", "error": True},
    {"role": "user", "t_start": 0.6, "duration_s": 0.0, "content": "Keep working."},
    {"role": "end", "t_start": 0.7, "duration_s": 0.0, "content": "submitted"},
]  # fmt: skip
FIRST_RELEASE_JUDGE = json.dumps({
    "problem": "p", "verdict": "WA", "outcome": "correctness_failure", "coverage": 1, "levels": 4, "passed": 2,
    "total": 3, "tests": [{"index": 2, "level": 1, "input_bytes": 12, "verdict": "WA", "time_s": 0.25,
                           "memory_mb": 7.5, "detail": "x"}],
    "time_s": 0.25, "memory_mb": 7.5, "detail": "wrong",
})  # fmt: skip
FIRST_RELEASE_DEGENERATION = '{"hit_max_tokens": true, "empty": true, "no_code": true, "loop": true}'
FIRST_RELEASE_CONFIG = {"model_key": "key-1", "mode": "agentic", "samples": 4}
RUN_ID = "048bdabba79cbacd"
"""The first release's id for that run (its config hash): a resumed run must find the same."""


def scored_sample() -> Sample:
    s = full_sample()
    return replace(s, attempt=replace(s.attempt, infra_error=""))


def first_release_store(path) -> None:
    a = full_sample().attempt
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.executescript(FIRST_RELEASE_SCHEMA)
    db.execute("INSERT OR IGNORE INTO runs VALUES (?, ?, ?, ?)",
               (RUN_ID, RUN_ID, json.dumps(FIRST_RELEASE_CONFIG, sort_keys=True), 1.0))  # fmt: skip
    db.execute("INSERT OR REPLACE INTO models VALUES (?, ?, ?)", ("key-1", "m", json.dumps({"alpha": 0.5})))
    rows = [
        (RUN_ID, "m", "key-1", "agentic", "p", "hard", 3, a.prompt, a.completion, a.code, a.no_code_reason,
         json.dumps(FIRST_RELEASE_TRAJECTORY), 50, 9, 0.002, 0.7, "submitted", "WA", "correctness_failure", 1, 4,
         2, 3, FIRST_RELEASE_JUDGE, FIRST_RELEASE_DEGENERATION, "", 2.0),
        (RUN_ID, "m", "key-1", "agentic", "p", "hard", 0, "", "", None, "", "[]", 0, 0, None, 0.0, "",
         None, "infra_error", None, None, None, None, None, json.dumps({"hit_max_tokens": False, "empty": False, "no_code": False, "loop": False}), "HTTP 503", 3.0),
    ]  # fmt: skip
    for row in rows:
        db.execute("INSERT OR REPLACE INTO samples VALUES (" + ", ".join("?" * 27) + ")", row)
    db.execute("INSERT OR REPLACE INTO judge_cache VALUES (?, ?)", ("k", FIRST_RELEASE_JUDGE))
    db.close()


def test_a_store_of_the_first_release_opens_migrated_and_resumes(tmp_path):
    path = tmp_path / "old.sqlite"
    first_release_store(path)
    for _ in range(2):  # the second open finds it migrated already
        with Store(path) as store:
            assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
            retried, done = store.samples()  # ordered by index: 0 then 3
            assert (
                done == scored_sample()
                and retried.result is None
                and retried.attempt.infra_error == "HTTP 503"
            )
            assert retried.attempt.trajectory == () and store.cached_result("k") == full_sample().result
            assert store.models() == [ModelRecord("key-1", "m", {"alpha": 0.5})]
            assert store.start_run(FIRST_RELEASE_CONFIG, {}) == RUN_ID
            assert store.finished(RUN_ID, "key-1", "agentic") == {("p", 3)}
    with Store(path) as store:
        store.add(replace(retried, attempt=Attempt(code="print(1)"), result=full_sample().result))
        assert store.finished(RUN_ID, "key-1", "agentic") == {("p", 0), ("p", 3)}
        assert len(list(store.samples())) == 2


def test_a_store_of_a_newer_version_is_refused_in_one_line(tmp_path):
    path = tmp_path / "future.sqlite"
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(
        StoreError, match=f"{path}: results store schema version {SCHEMA_VERSION + 1} is newer"
    ):
        Store(path)
    for command in (["report", "--db", str(path)], ["show", "--db", str(path), "m", "p", "0"]):
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
        assert str(path) in result.output and "newer" in result.output
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1  # left as it was
    db.close()
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_text("not a database " * 100)
    with pytest.raises(StoreError, match=f"{garbage}: cannot open as a results store"):
        Store(garbage)
