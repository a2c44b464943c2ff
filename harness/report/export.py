"""CSV and JSON files of the report: the per-(checkpoint, mode) rows, the per-difficulty rows, and the
whole report as one JSON object."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from codefront.harness.report.build import Report
from codefront.harness.report.metrics import MetricsRow


def write_csv(rows: list[MetricsRow], path: Path) -> None:
    """Nested values (the coverage distribution) go in as JSON text, so every cell stays one value."""
    records = [r.to_dict() for r in rows]
    columns = list(dict.fromkeys(key for record in records for key in record))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for record in records:
            writer.writerow({k: json.dumps(v) if isinstance(v, dict) else v for k, v in record.items()})


def write_report_csvs(report: Report, path: Path) -> list[Path]:
    """The main rows at PATH and the per-difficulty rows beside it, as STEM.by_difficulty.csv."""
    beside = path.with_name(f"{path.stem}.by_difficulty{path.suffix or '.csv'}")
    write_csv(report.rows, path)
    write_csv(report.difficulty_rows, beside)
    return [path, beside]


def write_json(report: Report, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report.to_dict(), indent=2) + "\n")
