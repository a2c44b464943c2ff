"""`harness report`: tables in the terminal, or JSON rows, plus optional plots, HTML, CSV and JSON files."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from codefront.harness.report.build import Report, build_report
from codefront.harness.report.data import Dataset, load_dataset
from codefront.harness.report.metrics import Settings, metrics_rows
from codefront.harness.run import DEFAULT_DB
from codefront.harness.store import Store, StoreError

PIPED_WIDTH = 200
err_console = Console(stderr=True, soft_wrap=True)


def _fail(message: str) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(2)


def report_command(
    db: Annotated[Path, typer.Option(help="Results store (SQLite) written by `harness run`.")] = DEFAULT_DB,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print only a JSON list of the per-(model, mode) rows.")
    ] = False,
    html: Annotated[Path | None, typer.Option(help="Write a self-contained HTML report here.")] = None,
    plots: Annotated[Path | None, typer.Option(help="Write the PNG plots into this folder.")] = None,
    csv: Annotated[
        Path | None, typer.Option(help="Write the rows here, and per-difficulty rows beside it.")
    ] = None,
    json_out: Annotated[Path | None, typer.Option(help="Write every section as one JSON object.")] = None,
    k: Annotated[str, typer.Option("--k", help="Budgets for pass@k and ensembles, e.g. 1,5,10.")] = "1,5,10",
    compare: Annotated[
        tuple[str, str] | None,
        typer.Option(help="Paired comparison of two checkpoints; NAME:MODE pins a mode.", show_default=False),
    ] = None,
    resamples: Annotated[int, typer.Option(help="Bootstrap resamples over problems.")] = 1000,
    seed: Annotated[int, typer.Option(help="Bootstrap seed.")] = 0,
    max_ensemble: Annotated[int, typer.Option(help="Largest ensemble searched.")] = 3,
    by_difficulty: Annotated[
        bool, typer.Option("--by-difficulty", help="Also print the per-difficulty table.")
    ] = False,
) -> None:
    """Metrics, alpha view, ensembles, complementarity and comparisons from a results store."""
    if resamples < 1 or max_ensemble < 1:
        raise _fail("--resamples and --max-ensemble must be at least 1")
    settings = Settings(ks=_budgets(k), resamples=resamples, seed=seed, max_ensemble=max_ensemble)
    data = _load(db)
    if as_json and not (html or plots or csv or json_out or compare):
        rows = [r.to_dict() for r in metrics_rows(data, settings)]
        sys.stdout.write(json.dumps(rows) + "\n")
        return
    try:
        report = build_report(data, settings, compare)
    except ValueError as e:
        raise _fail(str(e)) from None
    _write_files(report, str(db), html, plots, csv, json_out)
    if as_json:
        sys.stdout.write(json.dumps([r.to_dict() for r in report.rows]) + "\n")
        return
    from codefront.harness.report.tables import report_tables, to_rich

    # Piped output would otherwise be cut to 80 columns, which truncates every table cell.
    console = Console(width=None if sys.stdout.isatty() else PIPED_WIDTH)
    for table in report_tables(report, by_difficulty):
        console.print(to_rich(table))


def _budgets(text: str) -> tuple[int, ...]:
    try:
        ks = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise _fail(f"--k takes comma-separated integers, got {text!r}") from None
    if not ks or ks[0] < 1:
        raise _fail(f"--k needs budgets of at least 1, got {text!r}")
    return tuple(ks)


def _load(db: Path) -> Dataset:
    if not db.is_file():
        raise _fail(f"{db}: no such results store (`harness run` writes one there)")
    try:
        with Store(db) as store:
            data = load_dataset(store)
    except StoreError as e:
        raise _fail(str(e)) from None
    if not data.tallies:
        raise _fail(f"{db}: the store holds no samples")
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
