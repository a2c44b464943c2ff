"""PNG figures of a report, one panel per mode. Rendered headless (Agg) to bytes, so the HTML report
can embed them and --plots can write them without touching a display."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
import numpy as np  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from codefront.harness.report.alpha import AlphaPoint  # noqa: E402
from codefront.harness.report.build import Report  # noqa: E402
from codefront.harness.report.data import DEGENERATION_SIGNALS  # noqa: E402
from codefront.harness.report.estimators import fail_table  # noqa: E402

MARKERS = {"low": "s", "high": "s", "merge": "o", "trained": "^", None: "X"}
RATES = (
    ("solve_rate", "solve rate"),
    ("correctness_failure_rate", "correctness failure rate"),
    ("optimization_failure_rate", "optimization failure rate"),
)
MAX_HEATMAP_TICKS = 60


@dataclass(frozen=True)
class Plot:
    name: str
    title: str
    png: bytes
    series: tuple[str, ...]
    """Legend entries and point labels, in order: what the figure shows, as text."""


TITLES = {
    "frontier": "Frontier: correctness vs optimization failure rate",
    "alpha_curves": "Solve and failure rates along alpha",
    "pass_at_k": "pass@k curves",
    "ensembles": "Best ensemble vs best single checkpoint",
    "solved_heatmap": "Problems solved per checkpoint",
    "degeneration_alpha": "Degeneration signals along alpha",
}


def render_plots(report: Report) -> list[Plot]:
    """The plots the data supports (no α plots without merges), rendered to PNG bytes."""
    makers: dict[str, Callable[[Report], Figure]] = {
        "frontier": frontier,
        "pass_at_k": pass_at_k_curves,
        "ensembles": ensemble_vs_single,
        "solved_heatmap": solved_heatmap,
    }
    if report.alpha:
        makers |= {"alpha_curves": alpha_curves, "degeneration_alpha": degeneration_vs_alpha}
    plots = []
    for name, make in makers.items():
        figure = make(report)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
        plots.append(Plot(name, TITLES[name], buffer.getvalue(), _series(figure)))
        plt.close(figure)
    return plots


def _series(figure: Figure) -> tuple[str, ...]:
    names = []
    for ax in figure.axes:
        names += ax.get_legend_handles_labels()[1] + [text.get_text() for text in ax.texts]
    return tuple(dict.fromkeys(names))


def write_plots(plots: list[Plot], directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for plot in plots:
        path = directory / f"{plot.name}.png"
        path.write_bytes(plot.png)
        paths.append(path)
    return paths


def _panels(report: Report, title: str, height: float = 4.5) -> tuple[Figure, list[tuple[str, Axes]]]:
    modes = report.data.modes or ["(none)"]
    figure, axes = plt.subplots(
        1, len(modes), figsize=(5.5 * len(modes), height), squeeze=False, layout="constrained"
    )
    figure.suptitle(title)
    for mode, ax in zip(modes, axes[0], strict=True):
        ax.set_title(mode)
    return figure, list(zip(modes, axes[0], strict=True))


def frontier(report: Report) -> Figure:
    figure, panels = _panels(report, "Correctness-efficiency frontier")
    placed = {(p.model, p.mode): p for p in report.alpha}
    for mode, ax in panels:
        labels_at: dict[tuple[float, float], list[str]] = {}
        for row in (r for r in report.rows if r.mode == mode and r.samples):
            point = placed.get((row.model, mode))
            marker = MARKERS[point.role if point else None]
            x, y = row.optimization_failure_rate, row.correctness_failure_rate
            ax.scatter(x, y, marker=marker, s=60, color=_colour(point), edgecolors="black")
            suffix = f" (a={point.alpha:.3g})" if point else ""
            labels_at.setdefault((round(x, 6), round(y, 6)), []).append(row.model + suffix)
        for xy, labels in labels_at.items():  # checkpoints at one point share one label, one name a line
            ax.annotate("\n".join(labels), xy, fontsize=7, xytext=(4, 4), textcoords="offset points")
        _trace(ax, [p for p in report.alpha if p.mode == mode and p.role != "trained"])
        ax.set_xlabel("optimization failure rate (TLE/MLE)")
        ax.set_ylabel("correctness failure rate (WA/RE/OLE/CE)")
        ax.set_xlim(-0.03, 1.03)  # rates: the whole square, so checkpoints compare across plots
        ax.set_ylim(-0.03, 1.03)
        ax.grid(alpha=0.3)
    return figure


def _trace(ax: Axes, points: list[AlphaPoint]) -> None:
    """A thin line through each merge family in α order: the frontier that averaging sweeps."""
    for family in sorted({p.family for p in points}):
        line = [p.row for p in points if p.family == family and p.row.samples]
        xs = [r.optimization_failure_rate for r in line]
        ax.plot(xs, [r.correctness_failure_rate for r in line], color="grey", linewidth=0.8, zorder=0)


def _colour(point: AlphaPoint | None) -> object:
    """α in [-0.5, 1.5] spread over viridis; grey off the α axis."""
    if point is None:
        return "lightgrey"
    return plt.cm.viridis(float(np.clip((point.alpha + 0.5) / 2.0, 0.0, 1.0)))


def alpha_curves(report: Report) -> Figure:
    figure, panels = _panels(report, "Rates along alpha (squares: endpoints, triangles: trained)")
    for mode, ax in panels:
        _alpha_series(ax, [p for p in report.alpha if p.mode == mode], RATES)
        ax.set_ylabel("rate")
    return figure


def degeneration_vs_alpha(report: Report) -> Figure:
    figure, panels = _panels(report, "Degeneration along alpha")
    series = tuple((f"{s}_rate", f"{s.replace('_', ' ')} rate") for s in DEGENERATION_SIGNALS)
    for mode, ax in panels:
        _alpha_series(ax, [p for p in report.alpha if p.mode == mode], series)
        ax.set_ylabel("share of scored samples")
    return figure


def _alpha_series(ax: Axes, points: list[AlphaPoint], series: tuple[tuple[str, str], ...]) -> None:
    families = sorted({p.family for p in points})
    for family in families:
        on_line = [p for p in points if p.family == family and p.role != "trained"]
        trained = [p for p in points if p.family == family and p.role == "trained"]
        for key, name in series:
            label = name if len(families) == 1 else f"{family}: {name}"
            values = [p.to_dict()[key] for p in on_line]
            (line,) = ax.plot([p.alpha for p in on_line], values, marker="o", label=label)
            ends = [(p.alpha, v) for p, v in zip(on_line, values, strict=True) if p.role in ("low", "high")]
            if ends:
                ax.scatter(*zip(*ends, strict=True), marker="s", s=70, color=line.get_color(), zorder=3)
            if trained:
                xs, ys = [p.alpha for p in trained], [p.to_dict()[key] for p in trained]
                ax.scatter(xs, ys, marker="^", s=60, color=line.get_color(), zorder=3)
    for edge in (0.0, 1.0):
        ax.axvline(edge, color="grey", linestyle=":", linewidth=1)
    ax.set_xlabel("alpha")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)


def pass_at_k_curves(report: Report) -> Figure:
    figure, panels = _panels(report, "pass@k (problems with at least k scored samples)")
    for mode, ax in panels:
        for label in report.data.labels:
            tallies = [t for t in report.data.select(label, mode) if t.n > 0]
            if not tallies:
                continue
            n = np.array([t.n for t in tallies])
            c = np.array([t.solved for t in tallies])
            ks = np.arange(1, n.max() + 1)
            values = [(1.0 - fail_table(n[n >= k], c[n >= k], k)[k]).mean() for k in ks]
            ax.plot(ks, values, marker=".", label=label)
        ax.set_xscale("log", base=2)
        ax.set_xlabel("k")
        ax.set_ylabel("pass@k")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    return figure


def ensemble_vs_single(report: Report) -> Figure:
    figure, panels = _panels(report, "Best ensemble vs best single checkpoint at matched budget k")
    for mode, ax in panels:
        results = [r for r in report.ensembles if r.mode == mode]
        for attribute, name in (("best_single", "best single"), ("best_ensemble", "best ensemble")):
            points = [(r.k, getattr(r, attribute).pass_rate) for r in results if getattr(r, attribute)]
            if points:
                ax.plot(*zip(*points, strict=True), marker="o", label=name)
        ax.set_xlabel("total samples k")
        ax.set_ylabel("pass@k")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    return figure


def solved_heatmap(report: Report) -> Figure:
    """Each panel runs from the most to the least solved problem in its mode, so the problems that only
    a few checkpoints solve stand out."""
    labels = ordered_labels(report)
    column = {label: j for j, label in enumerate(labels)}
    count = len({t.problem for t in report.data.tallies})
    height = 2.5 + 0.08 * min(count, 100)
    figure, panels = _panels(report, "Solved share c/n per problem and checkpoint", height=height)
    for mode, ax in panels:
        shares: dict[str, dict[str, float]] = {}
        for t in report.data.select(mode=mode):
            if t.n:
                shares.setdefault(t.problem, {})[t.checkpoint] = t.solved / t.n
        problems = sorted(shares, key=lambda p: (-float(np.mean(list(shares[p].values()))), p))
        grid = np.full((len(problems), len(labels)), np.nan)
        for i, problem in enumerate(problems):
            for label, share in shares[problem].items():
                grid[i, column[label]] = share
        image = ax.imshow(grid, aspect="auto", cmap="viridis", vmin=0.0, vmax=1.0, interpolation="nearest")
        ax.set_xticks(range(len(labels)), labels, rotation=60, ha="right", fontsize=7)
        if len(problems) <= MAX_HEATMAP_TICKS:
            ax.set_yticks(range(len(problems)), problems, fontsize=6)
        ax.set_ylabel("problem (most solved first)")
        figure.colorbar(image, ax=ax, fraction=0.04)
    return figure


def ordered_labels(report: Report) -> list[str]:
    """Checkpoints along α where they have one, then the rest by name."""
    alpha = {}
    for p in report.alpha:
        alpha.setdefault(p.model, p.alpha)
    return sorted(report.data.labels, key=lambda lb: (lb not in alpha, alpha.get(lb, 0.0), lb))
