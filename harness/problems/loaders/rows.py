"""Rows of a published dataset, from JSONL (one object per line) or Parquet (read in batches), for the
formats whose rows are flat records: CodeContests and TACO/APPS."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

from codefront.harness.problems.loaders.base import Loaded, LoadOptions, ProblemLoadError
from codefront.records import Problem

SNIFF_LINES = 50
BATCH_ROWS = 64
"""Parquet rows decoded at once: CodeContests rows carry hundreds of generated tests each."""


def rows(path: Path) -> Iterator[tuple[int, dict | ProblemLoadError]]:
    """(line or row number from 1, the row or why it is not one)."""
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        number = 0
        for batch in pq.ParquetFile(path).iter_batches(batch_size=BATCH_ROWS):
            for row in batch.to_pylist():
                number += 1
                yield number, row
        return
    with path.open(encoding="utf-8") as f:
        for number, text in enumerate(f, start=1):
            if not text.strip():
                continue
            try:
                row = json.loads(text)
            except json.JSONDecodeError as e:
                yield number, ProblemLoadError(str(path), number, "(row)", f"not valid JSON: {e}")
                continue
            if not isinstance(row, dict):
                yield number, ProblemLoadError(str(path), number, "(row)", "not a JSON object")
                continue
            yield number, row


def columns(path: Path) -> set[str]:
    """The column names of a Parquet file, or the keys of a JSONL file's first object."""
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        try:
            return set(pq.read_schema(path).names)
        except Exception:  # not Parquet after all: no format of this kind claims it
            return set()
    with path.open(encoding="utf-8", errors="replace") as f:
        for _, text in zip(range(SNIFF_LINES), f, strict=False):
            try:
                record = json.loads(text)
            except json.JSONDecodeError:
                continue
            return set(record) if isinstance(record, dict) else set()
    return set()


ParseRow = Callable[[dict, str, int], Problem]


def load_rows(path: Path, options: LoadOptions, parse: ParseRow) -> Loaded:
    """Every row through `parse`; a malformed one is an error in `Loaded.errors` (raised if strict)."""
    loaded = Loaded()
    for number, row in rows(path):
        try:
            if isinstance(row, ProblemLoadError):
                raise row
            loaded.problems.append(parse(row, str(path), number))
        except ProblemLoadError as e:
            if options.strict:
                raise
            loaded.errors.append(e)
    return loaded
