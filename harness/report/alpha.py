"""The α view: merges θ(α) = (1-α)·θ_low + α·θ_high, their endpoints at α=0 and α=1, and the
trained checkpoints placed on the same axis by coverage level, ordered along α per mode.

A trained checkpoint at coverage level L sits at α = (L - L_low) / (L_high - L_low) when both endpoints
carry a coverage level: the frontier that training traced, on the axis that merging sweeps. Levels and
α come from the stored model identity, which reads them from the checkpoint's training.json or
merge.json; every point carries its checkpoint's level, so an endpoint that was trained shows it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from codefront.harness.report.data import Checkpoint, Dataset
from codefront.harness.report.metrics import MetricsRow

ROLES = ("low", "merge", "trained", "high")


@dataclass(frozen=True)
class Family:
    name: str
    low: Checkpoint | None
    high: Checkpoint | None
    merges: tuple[Checkpoint, ...]


@dataclass(frozen=True)
class AlphaPoint:
    family: str
    model: str
    mode: str
    alpha: float
    role: str
    row: MetricsRow
    coverage_level: int | None = None
    """The level a trained checkpoint (an endpoint or not) was rewarded for; None for merges and others."""

    def to_dict(self) -> dict:
        row = self.row.to_dict()
        return {
            "family": self.family,
            "model": self.model,
            "mode": self.mode,
            "alpha": self.alpha,
            "role": self.role,
            "coverage_level": self.coverage_level,
            **{key: row[key] for key in ALPHA_COLUMNS},
        }


ALPHA_COLUMNS = (
    "samples",
    "solve_rate",
    "correctness_failure_rate",
    "optimization_failure_rate",
    "mean_coverage",
    "hit_max_tokens_rate",
    "empty_rate",
    "no_code_rate",
    "loop_rate",
)


def families(data: Dataset) -> list[Family]:
    """Merges grouped by their (low, high) parents, each parent resolved to a stored checkpoint if any."""
    groups: dict[tuple[str, str], list[Checkpoint]] = {}
    ends: dict[tuple[str, str], tuple[Checkpoint | None, Checkpoint | None]] = {}
    for c in data.checkpoints.values():
        if c.alpha is None:
            continue
        low, high = _endpoint(data, c.low), _endpoint(data, c.high)
        key = (_name(low, c.low), _name(high, c.high))
        groups.setdefault(key, []).append(c)
        ends[key] = (low, high)
    found = [
        Family(f"{key[0]} -> {key[1]}", *ends[key], tuple(sorted(merges, key=lambda c: (c.alpha, c.label))))
        for key, merges in groups.items()
    ]
    return sorted(found, key=lambda f: f.name)


def alpha_points(data: Dataset, rows: list[MetricsRow]) -> list[AlphaPoint]:
    by_key = {(r.model, r.mode): r for r in rows}
    points = []
    for family in families(data):
        for checkpoint, alpha, role in _placed(data, family):
            for mode in data.modes:
                row = by_key.get((checkpoint.label, mode))
                if row is not None:
                    level = checkpoint.coverage_level
                    points.append(AlphaPoint(family.name, checkpoint.label, mode, alpha, role, row, level))
    return sorted(points, key=lambda p: (p.family, p.mode, p.alpha, ROLES.index(p.role), p.model))


def _placed(data: Dataset, family: Family) -> list[tuple[Checkpoint, float, str]]:
    placed = [(c, c.alpha, "merge") for c in family.merges if c.alpha is not None]
    placed += [(c, a, role) for c, a, role in ((family.low, 0.0, "low"), (family.high, 1.0, "high")) if c]
    endpoints = {c.label for c in (family.low, family.high) if c}
    low = family.low.coverage_level if family.low else None
    high = family.high.coverage_level if family.high else None
    if low is None or high is None or low == high:
        return placed
    for c in data.checkpoints.values():
        if c.alpha is None and c.coverage_level is not None and c.label not in endpoints:
            placed.append((c, (c.coverage_level - low) / (high - low), "trained"))
    return placed


def _endpoint(data: Dataset, refs: tuple[str, ...]) -> Checkpoint | None:
    """The checkpoint a parent reference names: by weights hash first, then by label or model name."""
    candidates = list(data.checkpoints.values())
    for ref in refs:
        match = next((c for c in candidates if c.weights_hash == ref), None)
        if match:
            return match
    return next((c for c in candidates for ref in refs if ref in (c.label, c.name)), None)


def _name(checkpoint: Checkpoint | None, refs: tuple[str, ...]) -> str:
    """A parent missing from the store is shown by its recorded hash (short) or path's last part."""
    if checkpoint:
        return checkpoint.label
    return PurePath(refs[0]).name[:16] if refs else "?"
