"""Judging generations made elsewhere (`harness judge --generations FILE`).

Two inputs: LiveCodeBench's generation output, a JSON list of `{"question_id", "code_list": [...]}`
(code already extracted), and JSONL of `{"problem", "code"}` or `{"problem", "completion"}` (code
taken from the completion's last Python block, as the reasoning mode does). A problem's samples are
numbered in input order. They are replayed through the same evaluation as a mode's answers
(replay solver → judge → recorder): judged concurrently on every core, results in input order, each
as soon as those before it are done, and with a store kept as samples of the named model in mode
`generations`, so `harness report` puts them beside harness runs.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from codefront.agents.extract import extract_code
from codefront.harness.eval.evaluation import Evaluation, RunKey
from codefront.harness.eval.recorder import Recorder
from codefront.harness.executors import Placed, Scorer
from codefront.harness.judge.program import judge_version
from codefront.harness.problems.dataset import ProblemSet
from codefront.harness.results.environment import capture
from codefront.records import Attempt, Problem, Sample

MODE = "generations"
REPLAY_NODE = "replay"
"""Where a replayed answer was made, as placements record it: not here."""


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
    generations: Sequence[Generation], problems: ProblemSet, skip_unknown: bool = False
) -> list[tuple[Problem, Generation]]:
    """Each generation with its problem. A generation for a problem the dataset lacks is an error (one,
    naming them all) unless skipped; one for a problem outside the selection is left out."""
    unknown = sorted({g.problem for g in generations} - problems.loaded)
    if unknown and not skip_unknown:
        raise GenerationsError(
            f"no problem with id {', '.join(map(repr, unknown))} (--skip-unknown skips them)"
        )
    by_id = {p.id: p for p in problems.problems}
    return [(by_id[g.problem], g) for g in generations if g.problem in by_id]


class ReplaySolver:
    """Generations made elsewhere as a solver: each (problem, sample) answers with its generation."""

    def __init__(self, generations: Sequence[Generation]) -> None:
        self.by_key = {(g.problem, g.sample): g for g in generations}

    async def __call__(self, problem: Problem, index: int) -> Placed[Attempt]:
        g = self.by_key[(problem.id, index)]
        return Placed(
            Attempt(code=g.code, completion=g.completion, no_code_reason=g.no_code_reason), REPLAY_NODE
        )


@dataclass(frozen=True)
class Destination:
    """Whose samples judged generations become: a model name, and the run's settings beside the file."""

    model: str
    settings: dict


def json_line(sample: Sample) -> str:
    """The judge contract's fields, plus which of the problem's samples this is (a replayed answer
    always reaches the judge: it has a result)."""
    return json.dumps({**(sample.result.to_dict() if sample.result else {}), "sample": sample.index})


async def judge_generations(
    file: Path,
    pairs: Sequence[tuple[Problem, Generation]],
    scorer: Scorer,
    recorder: Recorder,
    destination: Destination,
) -> AsyncIterator[Sample]:
    """Judge every pair through the evaluation's path, yielding each sample in input order as soon as
    those before it are done. Every generation is judged again (a verdict the store has is reused),
    so a second import of the same file prints every result again."""
    digest = hashlib.sha256(file.read_bytes()).hexdigest()[:16]
    # Imported generations have no weights to hash: the file's content stands for them, so two files
    # imported under one name are two checkpoints (the report shows them as name@key).
    key = f"{MODE}:{digest}"
    recorder.record_model(
        key, destination.model, {"name": destination.model, "source": MODE, "file": str(file)}
    )
    identity = {"mode": MODE, "model_key": key, "generations": digest, **destination.settings}
    run_id = recorder.start(identity, capture(None, judge_version(scorer.options)))
    evaluation = Evaluation(RunKey(run_id, destination.model, key, MODE), ReplaySolver([g for _, g in pairs]),
                            scorer, recorder)  # fmt: skip
    async for sample in evaluation.samples([(p, g.sample) for p, g in pairs], ordered=True):
        yield sample
