"""Unbiased pass@k, exact no-replacement failure tables, and seeded bootstrap intervals over problems."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


def pass_at_k(n: int, c: int, k: int) -> float:
    """1 - C(n-c, k)/C(n, k): the chance that k of n samples drawn without replacement hold a solve.

    The ratio is evaluated as prod_{i=n-c+1}^{n} (1 - k/i), which never forms a large binomial.
    """
    if not 0 <= c <= n:
        raise ValueError(f"need 0 <= c <= n, got n={n}, c={c}")
    if not 1 <= k <= n:
        raise ValueError(f"need 1 <= k <= n, got n={n}, k={k}")
    if n - c < k:
        return 1.0
    return 1.0 - math.prod(1.0 - k / i for i in range(n - c + 1, n + 1))


def fail_table(n: np.ndarray, c: np.ndarray, k_max: int) -> np.ndarray:
    """C(n-c, k)/C(n, k) for k = 0..k_max (rows) and every problem (columns).

    Row k is prod_{j<k} (n-c-j)/(n-j); the numerator is clipped at zero, so the product becomes 0
    once k exceeds n-c, exactly like the binomial. Needs k_max <= n for every problem.
    """
    n = np.asarray(n, dtype=float)
    c = np.asarray(c, dtype=float)
    if k_max > 0 and (n < k_max).any():
        raise ValueError(f"k_max={k_max} exceeds the sample count of some problem (min n={int(n.min())})")
    j = np.arange(k_max, dtype=float)[:, None]
    ratios = np.clip(n - c - j, 0.0, None) / (n - j)
    return np.vstack([np.ones((1, n.size)), np.cumprod(ratios, axis=0)])


def resample_indices(items: int, resamples: int, seed: int) -> np.ndarray:
    """Bootstrap draws of item indices, one row per resample; the same seed gives the same draws."""
    return np.random.default_rng(seed).integers(0, items, size=(resamples, items))


def percentile_interval(stats: np.ndarray) -> Interval:
    tail = (1.0 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(stats, [tail, 100 - tail])
    return Interval(float(low), float(high))


def ratio_interval(numer: np.ndarray, denom: np.ndarray, draws: np.ndarray) -> Interval:
    """Interval of sum(numer)/sum(denom) when whole problems are resampled (a sample-weighted rate)."""
    return percentile_interval(_ratios(numer, denom, draws))


def mean_interval(values: np.ndarray, draws: np.ndarray) -> Interval:
    return percentile_interval(np.asarray(values, dtype=float)[draws].mean(axis=1))


def paired_ratio_interval(
    a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray], draws: np.ndarray
) -> Interval:
    """Interval of rate(a) - rate(b), both sides resampled with the same problems."""
    return percentile_interval(_ratios(*a, draws) - _ratios(*b, draws))


def _ratios(numer: np.ndarray, denom: np.ndarray, draws: np.ndarray) -> np.ndarray:
    totals = np.asarray(denom, dtype=float)[draws].sum(axis=1)
    hits = np.asarray(numer, dtype=float)[draws].sum(axis=1)
    return np.divide(hits, totals, out=np.zeros_like(hits), where=totals > 0)
