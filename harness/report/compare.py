"""Which problems each checkpoint solves, how the solved sets overlap, and paired A-vs-B differences.

A problem counts as solved by a checkpoint when any scored sample solves it (c > 0, so pass@k > 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np

from codefront.harness.report.data import Dataset, Tally
from codefront.harness.report.estimators import (
    Interval,
    fail_table,
    paired_ratio_interval,
    percentile_interval,
    resample_indices,
)
from codefront.harness.report.metrics import Settings


@dataclass(frozen=True)
class Complementarity:
    mode: str
    problems: tuple[str, ...]
    solved: dict[str, frozenset[str]]
    unique: dict[str, frozenset[str]]
    jaccard: dict[tuple[str, str], float | None]
    """Per unordered pair (a < b); None when neither solves anything."""
    union_coverage: float

    def to_dict(self) -> dict:
        return {
            "mode": self.mode,
            "problems": len(self.problems),
            "solved": {label: sorted(s) for label, s in self.solved.items()},
            "unique": {label: sorted(s) for label, s in self.unique.items()},
            "jaccard": [{"a": a, "b": b, "jaccard": j} for (a, b), j in self.jaccard.items()],
            "union_coverage": self.union_coverage,
        }


def complementarity(data: Dataset, mode: str) -> Complementarity:
    tallies = [t for t in data.select(mode=mode) if t.n > 0]
    problems = tuple(sorted({t.problem for t in tallies}))
    labels = sorted({t.checkpoint for t in tallies})
    solved = {lb: frozenset(t.problem for t in tallies if t.checkpoint == lb and t.solved) for lb in labels}
    unique = {
        lb: solved[lb] - frozenset().union(*(s for other, s in solved.items() if other != lb))
        for lb in labels
    }
    jaccard = {(a, b): _jaccard(solved[a], solved[b]) for a, b in combinations(labels, 2)}
    union = frozenset().union(*solved.values())
    return Complementarity(
        mode, problems, solved, unique, jaccard, len(union) / len(problems) if problems else 0.0
    )


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float | None:
    return len(a & b) / len(a | b) if a | b else None


@dataclass(frozen=True)
class Difference:
    a: float
    b: float
    diff: float
    ci: Interval


@dataclass(frozen=True)
class PairedComparison:
    a: str
    b: str
    problems: int
    solve_rate: Difference
    pass_at: dict[int, Difference | None]
    only_a: tuple[str, ...]
    only_b: tuple[str, ...]
    both: tuple[str, ...]
    neither: tuple[str, ...]

    def to_dict(self) -> dict:
        return {
            "a": self.a,
            "b": self.b,
            "problems": self.problems,
            "solve_rate": _difference(self.solve_rate),
            **{f"pass_at_{k}": _difference(d) for k, d in self.pass_at.items()},
            "only_a": list(self.only_a),
            "only_b": list(self.only_b),
            "both": list(self.both),
            "neither": list(self.neither),
        }


def _difference(d: Difference | None) -> dict | None:
    return (
        None if d is None else {"a": d.a, "b": d.b, "diff": d.diff, "ci_low": d.ci.low, "ci_high": d.ci.high}
    )


def resolve_sides(data: Dataset, spec_a: str, spec_b: str) -> list[tuple[tuple[str, str], tuple[str, str]]]:
    """(checkpoint, mode) pairs to compare. A spec is a checkpoint, or checkpoint:mode to pin the mode;
    an unpinned side follows the other side's mode, or every mode both sides ran."""
    (a, mode_a), (b, mode_b) = _parse(data, spec_a), _parse(data, spec_b)
    if mode_a or mode_b:
        pinned = [(a, mode_a or mode_b), (b, mode_b or mode_a)]
        return [(pinned[0], pinned[1])]
    shared = sorted({t.mode for t in data.select(a)} & {t.mode for t in data.select(b)})
    if not shared:
        raise ValueError(f"{a} and {b} share no mode")
    return [((a, mode), (b, mode)) for mode in shared]


def _parse(data: Dataset, spec: str) -> tuple[str, str | None]:
    if spec in data.checkpoints:
        return spec, None
    label, _, mode = spec.rpartition(":")
    if label in data.checkpoints and mode in data.modes:
        return label, mode
    raise ValueError(
        f"unknown checkpoint {spec!r} (known: {', '.join(data.labels)}; pin a mode with NAME:MODE)"
    )


def paired(data: Dataset, a: tuple[str, str], b: tuple[str, str], settings: Settings) -> PairedComparison:
    left = {t.problem: t for t in data.select(*a) if t.n > 0}
    right = {t.problem: t for t in data.select(*b) if t.n > 0}
    shared = sorted(left.keys() & right.keys())
    if not shared:
        raise ValueError(f"{a[0]}:{a[1]} and {b[0]}:{b[1]} share no scored problem")
    pairs = [(left[p], right[p]) for p in shared]
    draws = resample_indices(len(pairs), settings.resamples, settings.seed)
    counts = [
        (np.array([t.solved for t in side]), np.array([t.n for t in side]))
        for side in zip(*pairs, strict=True)
    ]
    rates = [float(c.sum() / n.sum()) for c, n in counts]
    solve_rate = Difference(rates[0], rates[1], rates[0] - rates[1], paired_ratio_interval(*counts, draws))
    pass_at = {k: _paired_pass_at(pairs, k, settings) for k in sorted({1, *settings.ks})}
    cells: dict[tuple[bool, bool], list[str]] = {(x, y): [] for x in (False, True) for y in (False, True)}
    for problem, (x, y) in zip(shared, pairs, strict=True):
        cells[(x.solved > 0, y.solved > 0)].append(problem)
    return PairedComparison(
        f"{a[0]}:{a[1]}",
        f"{b[0]}:{b[1]}",
        len(shared),
        solve_rate,
        pass_at,
        only_a=tuple(cells[(True, False)]),
        only_b=tuple(cells[(False, True)]),
        both=tuple(cells[(True, True)]),
        neither=tuple(cells[(False, False)]),
    )


def _paired_pass_at(pairs: list[tuple[Tally, Tally]], k: int, settings: Settings) -> Difference | None:
    eligible = [(x, y) for x, y in pairs if x.n >= k and y.n >= k]
    if not eligible:
        return None
    a, b = (
        1.0 - fail_table(np.array([t.n for t in side]), np.array([t.solved for t in side]), k)[k]
        for side in zip(*eligible, strict=True)
    )
    draws = resample_indices(len(eligible), settings.resamples, settings.seed)
    ci = percentile_interval(a[draws].mean(axis=1) - b[draws].mean(axis=1))
    return Difference(float(a.mean()), float(b.mean()), float(a.mean() - b.mean()), ci)
