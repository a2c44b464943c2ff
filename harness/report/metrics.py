"""Rates, coverage, pass@k and costs per (checkpoint, mode) and per (checkpoint, mode, difficulty).

Rates are over scored samples: infra errors are counted apart and never charged to the model.
pass@k averages the unbiased estimator over the problems with at least k scored samples.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from codefront.harness.report.data import DEGENERATION_SIGNALS, Dataset, Tally
from codefront.harness.report.estimators import (
    Interval,
    fail_table,
    mean_interval,
    ratio_interval,
    resample_indices,
)


@dataclass(frozen=True)
class Settings:
    """How the report computes: budgets, bootstrap, ensemble search."""

    ks: tuple[int, ...] = field(default=(1, 5, 10), metadata={"flag": "--k"})
    """Budgets for pass@k and ensembles."""
    resamples: int = 1000
    """Bootstrap resamples over problems."""
    seed: int = 0
    """Bootstrap seed."""
    max_ensemble: int = 3
    """Largest ensemble searched."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "ks", tuple(sorted(set(self.ks))))
        if not self.ks or self.ks[0] < 1:
            raise ValueError(f"--k needs budgets of at least 1, got {','.join(map(str, self.ks)) or 'none'}")
        if self.resamples < 1 or self.max_ensemble < 1:
            raise ValueError("--resamples and --max-ensemble must be at least 1")


@dataclass(frozen=True)
class MetricsRow:
    model: str
    mode: str
    difficulty: str | None
    """None on the row that pools every difficulty."""
    problems: int
    samples: int
    """Scored samples; infra errors are not among them."""
    infra_errors: int
    solve_rate: float | None
    solve_rate_ci: Interval | None
    correctness_failure_rate: float | None
    optimization_failure_rate: float | None
    mean_coverage: float | None
    coverage_distribution: dict[int, float]
    pass_at: dict[int, float | None]
    pass_at_ci: dict[int, Interval | None]
    mean_completion_tokens: float | None
    cost_usd: float | None
    degeneration: dict[str, float | None]

    def to_dict(self) -> dict:
        row: dict = {"model": self.model, "mode": self.mode}
        if self.difficulty is not None:
            row["difficulty"] = self.difficulty
        row |= {"problems": self.problems, "samples": self.samples, "infra_errors": self.infra_errors}
        row |= {"solve_rate": self.solve_rate, **_interval("solve_rate", self.solve_rate_ci)}
        row |= {
            "correctness_failure_rate": self.correctness_failure_rate,
            "optimization_failure_rate": self.optimization_failure_rate,
            "mean_coverage": self.mean_coverage,
            "coverage_distribution": {
                str(level): share for level, share in self.coverage_distribution.items()
            },
        }
        for k, value in self.pass_at.items():
            row |= {f"pass_at_{k}": value, **_interval(f"pass_at_{k}", self.pass_at_ci[k])}
        row |= {"mean_completion_tokens": self.mean_completion_tokens, "cost_usd": self.cost_usd}
        return row | {f"{signal}_rate": rate for signal, rate in self.degeneration.items()}


def _interval(name: str, interval: Interval | None) -> dict:
    return {
        f"{name}_ci_low": interval.low if interval else None,
        f"{name}_ci_high": interval.high if interval else None,
    }


def metrics_rows(data: Dataset, settings: Settings, by_difficulty: bool = False) -> list[MetricsRow]:
    rows = []
    for label in data.labels:
        for mode in data.modes:
            tallies = data.select(label, mode)
            if not tallies:
                continue
            if not by_difficulty:
                rows.append(summarize(label, mode, None, tallies, settings))
                continue
            for difficulty in sorted({t.difficulty for t in tallies}):
                group = [t for t in tallies if t.difficulty == difficulty]
                rows.append(summarize(label, mode, difficulty, group, settings))
    return rows


def summarize(
    model: str, mode: str, difficulty: str | None, tallies: Sequence[Tally], settings: Settings
) -> MetricsRow:
    scored = [t for t in tallies if t.n > 0]
    n = np.array([t.n for t in scored], dtype=float)
    c = np.array([t.solved for t in scored], dtype=float)
    samples = int(n.sum())
    coverage = sum((t.coverage for t in scored), Counter())
    costs = [t.cost_usd for t in tallies if t.cost_usd is not None]
    draws = resample_indices(len(scored), settings.resamples, settings.seed) if scored else None
    pass_at, pass_at_ci = {}, {}
    for k in sorted({1, *settings.ks}):
        pass_at[k], pass_at_ci[k] = _pass_at(scored, k, settings)
    return MetricsRow(
        model=model,
        mode=mode,
        difficulty=difficulty,
        problems=len({t.problem for t in tallies}),
        samples=samples,
        infra_errors=sum(t.infra for t in tallies),
        solve_rate=_rate(c.sum(), samples),
        solve_rate_ci=ratio_interval(c, n, draws) if draws is not None else None,
        correctness_failure_rate=_rate(sum(t.correctness for t in scored), samples),
        optimization_failure_rate=_rate(sum(t.optimization for t in scored), samples),
        mean_coverage=_rate(sum(level * count for level, count in coverage.items()), samples),
        coverage_distribution={level: coverage[level] / samples for level in sorted(coverage)},
        pass_at=pass_at,
        pass_at_ci=pass_at_ci,
        mean_completion_tokens=_rate(sum(t.completion_tokens for t in scored), samples),
        cost_usd=sum(costs) if costs else None,
        degeneration={
            s: _rate(sum(t.degeneration[s] for t in scored), samples) for s in DEGENERATION_SIGNALS
        },
    )


def _pass_at(scored: Sequence[Tally], k: int, settings: Settings) -> tuple[float | None, Interval | None]:
    eligible = [t for t in scored if t.n >= k]
    if not eligible:
        return None, None
    n = np.array([t.n for t in eligible])
    c = np.array([t.solved for t in eligible])
    per_problem = 1.0 - fail_table(n, c, k)[k]
    draws = resample_indices(len(eligible), settings.resamples, settings.seed)
    return float(per_problem.mean()), mean_interval(per_problem, draws)


def _rate(numer: float, denom: float) -> float | None:
    return float(numer) / denom if denom else None
