"""Judging generations made elsewhere (`harness judge --generations FILE`).

Two inputs: LiveCodeBench's generation output, a JSON list of `{"question_id", "code_list": [...]}`
(code already extracted), and JSONL of `{"problem", "code"}` or `{"problem", "completion"}` (code
taken from the completion's last Python block, as the reasoning mode does). A problem's samples are
numbered in input order. Judging runs concurrently on every core; results come back in input order,
each as soon as those before it are done. With a store they are kept as samples of the named model
in mode `generations`, so `harness report` puts them beside harness runs.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from codefront.agents.extract import extract_code
from codefront.harness.judge.judge import JudgePool
from codefront.harness.judge.records import JudgeResult
from codefront.harness.problems import Problem
from codefront.harness.records import Attempt, Sample
from codefront.harness.store import Store

MODE = "generations"


class GenerationsError(ValueError):
    """A generations file that cannot be read as given; one line naming the file (and line)."""


@dataclass(frozen=True)
class Generation:
    problem: str
    sample: int
    """The problem's n-th generation in the file, from 0."""
    code: str | None
    completion: str = ""
    """The raw model output, when the file has one (JSONL `completion`)."""
    no_code_reason: str = ""


def _jsonl_record(record: object, where: str) -> tuple[str, str | None, str, str]:
    if not isinstance(record, dict) or "problem" not in record:
        raise GenerationsError(f"{where}: expected an object with 'problem' and 'code' or 'completion'")
    if isinstance(record.get("code"), str):
        return str(record["problem"]), record["code"], "", ""
    if isinstance(record.get("completion"), str):
        code, reason = extract_code(record["completion"])
        return str(record["problem"]), code, record["completion"], reason
    raise GenerationsError(f"{where}: needs a 'code' or a 'completion' string")


def _lcb_records(document: object, path: Path) -> list[tuple[str, str | None, str, str]]:
    if not isinstance(document, list):
        raise GenerationsError(f"{path}: expected a JSON list of {{question_id, code_list}}")
    records = []
    for i, entry in enumerate(document):
        if (
            not isinstance(entry, dict)
            or "question_id" not in entry
            or not isinstance(entry.get("code_list"), list)
        ):
            raise GenerationsError(f"{path}: entry {i} needs 'question_id' and a 'code_list' list")
        records += [
            (str(entry["question_id"]), code or None, "", "" if code else "empty code")
            for code in entry["code_list"]
        ]
    return records


def read_generations(path: Path) -> list[Generation]:
    """Either format, told apart by the first character: `[` is LiveCodeBench's list."""
    text = path.read_text(encoding="utf-8")
    if text.lstrip().startswith("["):
        try:
            records = _lcb_records(json.loads(text), path)
        except json.JSONDecodeError as e:
            raise GenerationsError(f"{path}:{e.lineno}: not valid JSON ({e.msg})") from None
    else:
        records = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as e:
                raise GenerationsError(f"{path}:{number}: not valid JSON ({e.msg})") from None
            records.append(_jsonl_record(record, f"{path}:{number}"))
    seen: Counter[str] = Counter()
    generations = []
    for problem, code, completion, reason in records:
        generations.append(Generation(problem, seen[problem], code, completion, reason))
        seen[problem] += 1
    return generations


def matched(
    generations: Sequence[Generation], problems: Sequence[Problem], skip_unknown: bool, selected: set[str]
) -> list[tuple[Problem, Generation]]:
    """Each generation with its problem. A generation for a problem the dataset lacks is an error (one,
    naming them all) unless skipped; one for a problem outside the selection is left out."""
    by_id = {p.id: p for p in problems}
    unknown = sorted({g.problem for g in generations} - by_id.keys())
    if unknown and not skip_unknown:
        raise GenerationsError(
            f"no problem with id {', '.join(map(repr, unknown))} (--skip-unknown skips them)"
        )
    return [(by_id[g.problem], g) for g in generations if g.problem in by_id and g.problem in selected]


async def judged_in_order(
    pairs: Sequence[tuple[Problem, Generation]], pool: JudgePool
) -> AsyncIterator[tuple[Problem, Generation, JudgeResult]]:
    """All judged at once (the pool bounds how many run); yielded in input order as each prefix completes."""
    tasks = [asyncio.ensure_future(pool.judge(p, g.code)) for p, g in pairs]
    try:
        for (problem, generation), task in zip(pairs, tasks, strict=True):
            yield problem, generation, await task
    finally:
        for task in tasks:
            task.cancel()


@dataclass(frozen=True)
class Destination:
    """Where judged generations are stored: a model's samples in one run of mode `generations`."""

    store: Store
    run_id: str
    model: str
    model_key: str

    @staticmethod
    def open(store: Store, model: str, generations_file: Path, config: dict) -> Destination:
        digest = hashlib.sha256(generations_file.read_bytes()).hexdigest()[:16]
        # Imported generations have no weights to hash: the file's content stands for them, so two
        # files imported under one name are two checkpoints (the report shows them as name@key).
        key = f"{MODE}:{digest}"
        store.record_model(key, model, {"name": model, "source": MODE, "file": str(generations_file)})
        run_id = store.start_run({"mode": MODE, "model_key": key, "generations": digest, **config})
        return Destination(store, run_id, model, key)

    def add(self, problem: Problem, generation: Generation, result: JudgeResult) -> None:
        attempt = Attempt(code=generation.code, completion=generation.completion,
                          no_code_reason=generation.no_code_reason)  # fmt: skip
        self.store.add(Sample(self.run_id, self.model, self.model_key, MODE, problem.id, problem.difficulty,
                              generation.sample, attempt, result))  # fmt: skip


def json_line(generation: Generation, result: JudgeResult) -> str:
    """The judge contract's fields, plus which of the problem's samples this is."""
    return json.dumps({**result.to_dict(), "sample": generation.sample})


async def judge_generations(
    pairs: Sequence[tuple[Problem, Generation]],
    pool: JudgePool,
    emit: Callable[[Problem, Generation, JudgeResult], None],
    destination: Destination | None = None,
) -> Counter[str]:
    """Judge every pair, storing and emitting each result in input order; the count of each verdict."""
    verdicts: Counter[str] = Counter()
    async for problem, generation, result in judged_in_order(pairs, pool):
        if destination is not None:
            destination.add(problem, generation, result)
        emit(problem, generation, result)
        verdicts[result.verdict] += 1
    return verdicts
