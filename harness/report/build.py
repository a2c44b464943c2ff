"""Every section of the report, computed once from a dataset, for the tables, plots, HTML and exports."""

from __future__ import annotations

from dataclasses import dataclass

from codefront.harness.report.alpha import AlphaPoint, alpha_points
from codefront.harness.report.compare import (
    Complementarity,
    PairedComparison,
    complementarity,
    paired,
    resolve_sides,
)
from codefront.harness.report.data import Dataset
from codefront.harness.report.ensembles import BudgetResult, make_pool, search
from codefront.harness.report.metrics import MetricsRow, Settings, metrics_rows


@dataclass(frozen=True)
class Report:
    data: Dataset
    settings: Settings
    rows: list[MetricsRow]
    difficulty_rows: list[MetricsRow]
    alpha: list[AlphaPoint]
    ensembles: list[BudgetResult]
    complementarity: list[Complementarity]
    comparisons: list[PairedComparison]

    def to_dict(self) -> dict:
        return {
            "rows": [r.to_dict() for r in self.rows],
            "by_difficulty": [r.to_dict() for r in self.difficulty_rows],
            "alpha": [p.to_dict() for p in self.alpha],
            "ensembles": [e.to_dict() for e in self.ensembles],
            "complementarity": [c.to_dict() for c in self.complementarity],
            "comparisons": [c.to_dict() for c in self.comparisons],
            "runs": [r.to_dict() for r in self.data.runs],
        }


def build_report(data: Dataset, settings: Settings, compare: tuple[str, str] | None = None) -> Report:
    """Raises ValueError when a compared checkpoint is unknown or the two share nothing."""
    rows = metrics_rows(data, settings)
    comparisons = []
    if compare:
        comparisons = [paired(data, a, b, settings) for a, b in resolve_sides(data, *compare)]
    return Report(
        data=data,
        settings=settings,
        rows=rows,
        difficulty_rows=metrics_rows(data, settings, by_difficulty=True),
        alpha=alpha_points(data, rows),
        ensembles=[
            result
            for mode in data.modes
            for result in search(make_pool(data, mode), settings.ks, settings.max_ensemble)
        ],
        complementarity=[complementarity(data, mode) for mode in data.modes],
        comparisons=comparisons,
    )
