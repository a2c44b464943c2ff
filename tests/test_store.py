"""Results store: resume bookkeeping, infra errors kept apart, concurrent writers, judge cache."""

from __future__ import annotations

import multiprocessing

from codefront.agents.extract import extract_code
from codefront.harness.degeneration import detect, is_looping
from codefront.harness.judge.records import OUTCOME_OF, JudgeResult, Verdict
from codefront.harness.records import Attempt, Sample
from codefront.harness.store import Store, normalized_code_hash


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
        run_id = store.start_run({"model": "m", "samples": 3})
        assert run_id == store.start_run({"samples": 3, "model": "m"})  # same config, same run
        assert run_id != store.start_run({"model": "m", "samples": 4})
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
