"""Ensembles at a matched sample budget: k samples split across a set of checkpoints.

Drawing k_i of checkpoint i's n_i samples without replacement, a problem stays unsolved with
probability prod_i C(n_i - c_i, k_i) / C(n_i, k_i); the ensemble's pass@k is one minus that, averaged
over problems. A single checkpoint is the one-member case (plain pass@k). A pool holds the problems
every checkpoint of the mode attempted, so all candidates are scored on the same problems.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from codefront.harness.report.data import Dataset
from codefront.harness.report.estimators import fail_table


@dataclass(frozen=True)
class Pool:
    """Scored sample counts (n) and solves (c), one row per checkpoint, one column per problem."""

    mode: str
    labels: tuple[str, ...]
    problems: tuple[str, ...]
    n: np.ndarray
    c: np.ndarray

    def row(self, label: str) -> int:
        return self.labels.index(label)

    def restrict(self, k: int) -> Pool:
        """The problems where every checkpoint has at least k scored samples, so that every way of
        spending a budget of k is possible and all candidates are scored on the same problems."""
        keep = (self.n >= k).all(axis=0)
        problems = tuple(p for p, kept in zip(self.problems, keep, strict=True) if kept)
        return Pool(self.mode, self.labels, problems, self.n[:, keep], self.c[:, keep])


@dataclass(frozen=True)
class Ensemble:
    members: tuple[str, ...]
    split: tuple[int, ...]
    pass_rate: float

    def to_dict(self) -> dict:
        return {"members": list(self.members), "split": list(self.split), "pass_rate": self.pass_rate}


@dataclass(frozen=True)
class BudgetResult:
    mode: str
    k: int
    problems: int
    best_single: Ensemble | None
    best_ensemble: Ensemble | None
    """Best set of two or more members; None when k or the pool is too small for one."""

    def to_dict(self) -> dict:
        gain = (
            self.best_ensemble.pass_rate - self.best_single.pass_rate
            if self.best_single and self.best_ensemble
            else None
        )
        return {
            "mode": self.mode,
            "k": self.k,
            "problems": self.problems,
            "best_single": self.best_single.to_dict() if self.best_single else None,
            "best_ensemble": self.best_ensemble.to_dict() if self.best_ensemble else None,
            "gain": gain,
        }


def make_pool(data: Dataset, mode: str, labels: Sequence[str] | None = None) -> Pool:
    """Checkpoints in the order of their pass@1 on the shared problems, strongest first."""
    tallies = [t for t in data.select(mode=mode) if t.n > 0 and (labels is None or t.checkpoint in labels)]
    chosen = sorted({t.checkpoint for t in tallies})
    attempted = [{t.problem for t in tallies if t.checkpoint == label} for label in chosen]
    problems = tuple(sorted(set.intersection(*attempted))) if attempted else ()
    index = {(t.checkpoint, t.problem): t for t in tallies}
    # An explicit shape: a mode whose every sample was an infra error has no checkpoint to pool.
    n = np.array([[index[(lb, p)].n for p in problems] for lb in chosen], dtype=float).reshape(
        len(chosen), len(problems)
    )
    c = np.array([[index[(lb, p)].solved for p in problems] for lb in chosen], dtype=float).reshape(n.shape)
    rates = (c / np.where(n > 0, n, 1)).mean(axis=1) if problems else np.zeros(len(chosen))
    order = sorted(range(len(chosen)), key=lambda i: (-rates[i], chosen[i]))
    return Pool(mode, tuple(chosen[i] for i in order), problems, n[order], c[order])


def split_budget(k: int, size: int) -> tuple[int, ...]:
    """Even split of k over size members; the remainder goes one each to the first members."""
    if k < 0 or size < 1:
        raise ValueError(f"need k >= 0 and at least one member, got k={k}, size={size}")
    base, extra = divmod(k, size)
    return tuple(base + (i < extra) for i in range(size))


def ensemble_pass_rate(pool: Pool, members: Sequence[str], split: Sequence[int]) -> float:
    """Exact pass rate of drawing split[i] samples of members[i]; a split entry may be 0."""
    if len(members) != len(split):
        raise ValueError("one budget share per member")
    if not pool.problems:
        raise ValueError(f"{pool.mode}: the members share no attempted problem")
    fail = np.ones(len(pool.problems))
    for label, k in zip(members, split, strict=True):
        i = pool.row(label)
        fail *= fail_table(pool.n[i], pool.c[i], k)[k]
    return float(1.0 - fail.mean())


def search(pool: Pool, ks: Sequence[int], max_size: int) -> list[BudgetResult]:
    """Best single checkpoint and best ensemble (2..max_size members, even split) at each budget k,
    on the problems where every checkpoint has at least k samples (as pass@k itself).

    Members keep the pool's order, so the remainder of an uneven split goes to the stronger ones.
    """
    return [_search_budget(pool.restrict(k), k, max_size) for k in ks]


def _search_budget(pool: Pool, k: int, max_size: int) -> BudgetResult:
    if not pool.problems:
        return BudgetResult(pool.mode, k, 0, None, None)
    tables = [fail_table(n, c, k) for n, c in zip(pool.n, pool.c, strict=True)]
    best: dict[bool, Ensemble] = {}
    for size in range(1, min(max_size, k, len(pool.labels)) + 1):
        split = split_budget(k, size)
        for combo in combinations(range(len(pool.labels)), size):
            fail = np.prod([tables[i][share] for i, share in zip(combo, split, strict=True)], axis=0)
            candidate = Ensemble(tuple(pool.labels[i] for i in combo), split, float(1.0 - fail.mean()))
            group = size > 1
            if group not in best or candidate.pass_rate > best[group].pass_rate:
                best[group] = candidate
    return BudgetResult(pool.mode, k, len(pool.problems), best.get(False), best.get(True))
