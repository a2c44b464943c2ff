"""Reads a results store into per-(checkpoint, mode, problem) tallies plus each checkpoint's weight provenance.

A checkpoint is one set of weights (a model_key). It is shown by its model name, or by name@key when
two weight sets share a name, so samples of different weights are never pooled.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from codefront.harness.results.store import RunRecord, Store
from codefront.records import ModelRecord, Outcome, Sample

DEGENERATION_SIGNALS = ("hit_max_tokens", "empty", "no_code", "loop")


@dataclass(frozen=True)
class Checkpoint:
    key: str
    label: str
    name: str
    alpha: float | None = None
    low: tuple[str, ...] = ()
    """How a merge names its α=0 parent: weights hash, model name or path, whichever it recorded."""
    high: tuple[str, ...] = ()
    weights_hash: str | None = None
    coverage_level: int | None = None


@dataclass(frozen=True)
class Tally:
    """Every sample of one checkpoint on one problem in one mode. Infra errors only count in `infra`."""

    checkpoint: str
    mode: str
    problem: str
    difficulty: str
    n: int
    solved: int
    correctness: int
    optimization: int
    infra: int
    coverage: Counter[int] = field(default_factory=Counter)
    completion_tokens: int = 0
    cost_usd: float | None = None
    degeneration: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class RunInfo:
    """A run's reproducibility record: whose samples, and what they were made with."""

    run_id: str
    checkpoint: str
    mode: str
    seed: int | None
    environments: tuple[dict, ...]
    """The distinct environments of the sessions that added to it, oldest first (harness/results/environment.py);
    none for runs stored before environments were kept."""

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Dataset:
    checkpoints: dict[str, Checkpoint]
    tallies: tuple[Tally, ...]
    runs: tuple[RunInfo, ...] = ()

    @property
    def modes(self) -> list[str]:
        return sorted({t.mode for t in self.tallies})

    @property
    def labels(self) -> list[str]:
        return sorted(self.checkpoints)

    def select(self, checkpoint: str | None = None, mode: str | None = None) -> list[Tally]:
        return [
            t
            for t in self.tallies
            if (checkpoint is None or t.checkpoint == checkpoint) and (mode is None or t.mode == mode)
        ]


def load_dataset(store: Store) -> Dataset:
    recorded = {model.key: model for model in store.models()}
    samples = list(store.samples())
    models = {
        s.model_key: recorded.get(s.model_key) or ModelRecord(s.model_key, s.model, {}) for s in samples
    }
    shared = {name for name, count in Counter(m.name for m in models.values()).items() if count > 1}
    checkpoints = {
        key: _checkpoint(model, f"{model.name}@{key[:8]}" if model.name in shared else model.name)
        for key, model in models.items()
    }
    labels = {key: c.label for key, c in checkpoints.items()}
    tallies = _tallies(samples, labels)
    return Dataset({c.label: c for c in checkpoints.values()}, tallies, _runs(store.runs(), labels))


def _runs(records: Iterable[RunRecord], labels: dict[str, str]) -> tuple[RunInfo, ...]:
    """The runs that have samples here, each with its distinct environments (a run resumed on the same
    set-up is one environment, whatever the number of sessions)."""
    runs = []
    for record in records:
        label = labels.get(record.config.get("model_key", ""))
        if label is None:
            continue
        distinct = list({json.dumps(env, sort_keys=True): env for env in record.sessions}.values())
        runs.append(RunInfo(record.run_id, label, str(record.config.get("mode", "")), record.config.get("seed"),
                            tuple(distinct)))  # fmt: skip
    return tuple(sorted(runs, key=lambda r: (r.checkpoint, r.mode, r.run_id)))


def _checkpoint(model: ModelRecord, label: str) -> Checkpoint:
    """Reads the model identity's lineage: `alpha`, the parents as `low_hash`/`high_hash`, `low`/`high`
    or a two-entry `parents` list (low first), and `coverage_level` for a trained checkpoint."""
    identity = model.identity
    parents = identity.get("parents")
    pair = list(parents) if isinstance(parents, list | tuple) and len(parents) == 2 else [None, None]
    low = _refs(identity.get("low_hash"), identity.get("low"), pair[0])
    high = _refs(identity.get("high_hash"), identity.get("high"), pair[1])
    alpha, level = identity.get("alpha"), identity.get("coverage_level")
    return Checkpoint(
        key=model.key,
        label=label,
        name=model.name,
        alpha=float(alpha) if isinstance(alpha, int | float) else None,
        low=low,
        high=high,
        weights_hash=identity.get("weights_hash") or None,
        coverage_level=int(level) if isinstance(level, int | float) else None,
    )


def _refs(*values: object) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(v) for v in values if v))


def _tallies(samples: Iterable[Sample], labels: dict[str, str]) -> tuple[Tally, ...]:
    groups: dict[tuple[str, str, str], list[Sample]] = defaultdict(list)
    for s in samples:
        groups[(labels[s.model_key], s.mode, s.problem)].append(s)
    return tuple(_tally(*key, group) for key, group in sorted(groups.items()))


def _tally(label: str, mode: str, problem: str, group: list[Sample]) -> Tally:
    scored = [s for s in group if s.result is not None and s.result.outcome != Outcome.INFRA_ERROR]
    outcomes = Counter(s.result.outcome for s in scored if s.result is not None)
    costs = [s.attempt.cost_usd for s in scored if s.attempt.cost_usd is not None]
    return Tally(
        checkpoint=label,
        mode=mode,
        problem=problem,
        difficulty=group[0].difficulty,
        n=len(scored),
        solved=outcomes[Outcome.SOLVED],
        correctness=outcomes[Outcome.CORRECTNESS_FAILURE],
        optimization=outcomes[Outcome.OPTIMIZATION_FAILURE],
        infra=len(group) - len(scored),
        coverage=Counter(s.result.coverage for s in scored if s.result is not None),
        completion_tokens=sum(s.attempt.completion_tokens for s in scored),
        cost_usd=sum(costs) if costs else None,
        degeneration=Counter(
            signal for s in scored for signal in DEGENERATION_SIGNALS if getattr(s.degeneration, signal)
        ),
    )
