"""`harness report`: tables in the terminal, or JSON rows, plus optional plots, HTML, CSV and JSON files."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console

from codefront.harness.report.build import Report, build_report
from codefront.harness.report.data import Dataset, load_dataset
from codefront.harness.report.metrics import Settings, metrics_rows
from codefront.harness.results.store import DEFAULT_DB, Store

PIPED_WIDTH = 200
err_console = Console(stderr=True, soft_wrap=True)


@dataclass(frozen=True)
class ReportConfig:
    """Which store, what to compute, and where to write it."""

    db: Path = DEFAULT_DB
    """The results store (SQLite) `harness run` wrote."""
    metrics: Settings = field(default_factory=Settings)
    compare: tuple[str, str] | None = None
    """Paired comparison of two checkpoints; NAME:MODE pins a mode."""
    by_difficulty: bool = False
    """Also print the per-difficulty table."""
    as_json: bool = field(default=False, metadata={"flag": "--json"})
    """Print only a JSON list of the per-(model, mode) rows."""
    html: Path | None = None
    """Write a self-contained HTML report here."""
    plots: Path | None = None
    """Write the PNG plots into this folder."""
    csv: Path | None = None
    """Write the rows here, and per-difficulty rows beside it."""
    json_out: Path | None = None
    """Write every section as one JSON object (the runs' reproducibility records included)."""


def report_command(config: ReportConfig) -> None:
    """Metrics, alpha view, ensembles, complementarity, comparisons and each run's record, from a results store."""
    data = _load(config.db)
    if config.as_json and not (
        config.html or config.plots or config.csv or config.json_out or config.compare
    ):
        sys.stdout.write(json.dumps([r.to_dict() for r in metrics_rows(data, config.metrics)]) + "\n")
        return
    report = build_report(data, config.metrics, config.compare)
    _write_files(report, str(config.db), config.html, config.plots, config.csv, config.json_out)
    if config.as_json:
        sys.stdout.write(json.dumps([r.to_dict() for r in report.rows]) + "\n")
        return
    from codefront.harness.report.tables import report_tables, to_rich

    # Piped output would otherwise be cut to 80 columns, which truncates every table cell.
    console = Console(width=None if sys.stdout.isatty() else PIPED_WIDTH)
    for table in report_tables(report, config.by_difficulty):
        console.print(to_rich(table))


def _load(db: Path) -> Dataset:
    if not db.is_file():
        raise ValueError(f"{db}: no such results store (`harness run` writes one there)")
    with Store(db) as store:
        data = load_dataset(store)
    if not data.tallies:
        raise ValueError(f"{db}: the store holds no samples")
    return data


def _write_files(
    report: Report,
    source: str,
    html: Path | None,
    plots: Path | None,
    csv: Path | None,
    json_out: Path | None,
) -> None:
    # Plotting pulls in matplotlib; only pay for it when a plot or the HTML report is asked for.
    from codefront.harness.report.export import write_json, write_report_csvs

    written: list[Path] = []
    if html or plots:
        from codefront.harness.report.html import write_html
        from codefront.harness.report.plots import render_plots, write_plots

        rendered = render_plots(report)
        if plots:
            written += write_plots(rendered, plots)
        if html:
            write_html(report, rendered, source, html)
            written.append(html)
    if csv:
        written += write_report_csvs(report, csv)
    if json_out:
        write_json(report, json_out)
        written.append(json_out)
    for path in written:
        err_console.print(f"wrote {path}", highlight=False)
