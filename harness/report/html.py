"""One self-contained HTML file: the report's tables and its plots inlined as base64 PNGs."""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path

from codefront.harness.report.build import Report
from codefront.harness.report.plots import Plot
from codefront.harness.report.tables import TextTable, report_tables

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 2em; font-size: 0.85em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
th { background: #f2f2f2; }
img { max-width: 100%; margin-bottom: 2em; }
"""


def render_html(report: Report, plots: list[Plot], source: str) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>codefront report: {escape(source)}</title><style>{STYLE}</style></head><body>",
        f"<h1>codefront report</h1><p>Store: <code>{escape(source)}</code>. Rates exclude infra errors; "
        "intervals are 95% bootstrap intervals over problems "
        f"({report.settings.resamples} resamples, seed {report.settings.seed}).</p>",
    ]
    parts += [_table(t) for t in report_tables(report)]
    for plot in plots:
        encoded = base64.b64encode(plot.png).decode("ascii")
        parts.append(f"<h2>{escape(plot.title)}</h2><figure>")
        parts.append(f'<img alt="{escape(plot.name)}" src="data:image/png;base64,{encoded}">')
        parts.append(f"<figcaption>Series: {escape(', '.join(plot.series))}</figcaption></figure>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_html(report: Report, plots: list[Plot], source: str, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(report, plots, source), encoding="utf-8")


def _table(table: TextTable) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in table.columns)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in table.rows)
    return f"<h2>{escape(table.title)}</h2><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
