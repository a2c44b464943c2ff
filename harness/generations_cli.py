"""`harness judge --generations FILE`: the command's side of harness/generations.py (reading the
options, printing each result as it comes, storing)."""

from __future__ import annotations

import asyncio
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from rich.console import Console

from codefront.harness.generations import (
    Destination,
    Generation,
    json_line,
    judge_generations,
    matched,
    read_generations,
)
from codefront.harness.judge.judge import JudgeOptions, JudgePool
from codefront.harness.judge.records import JudgeResult
from codefront.harness.loaders import Loaded
from codefront.harness.problems import Problem
from codefront.harness.selection import Selection, select
from codefront.harness.store import Store
from codefront.sandbox.base import SandboxBackend

console = Console()
err_console = Console(stderr=True, soft_wrap=True)


@dataclass(frozen=True)
class GenerationsRequest:
    file: Path
    selection: Selection
    skip_unknown: bool = False
    db: Path | None = None
    model: str | None = None


def _print_line(as_json: bool):
    def emit(problem: Problem, generation: Generation, result: JudgeResult) -> None:
        if as_json:
            sys.stdout.write(json_line(generation, result) + "\n")
            sys.stdout.flush()
        else:
            console.print(f"{problem.id} #{generation.sample}: {result.verdict} "
                          f"coverage {result.coverage}/{result.levels}", highlight=False)  # fmt: skip

    return emit


def judge_generations_command(
    loaded: Loaded, dataset: str, request: GenerationsRequest, backend: SandboxBackend,
    options: JudgeOptions, as_json: bool,
) -> None:  # fmt: skip
    """Raises ValueError or OSError (one line) for the caller to report."""
    for error in loaded.errors:
        err_console.print(f"[yellow]skipped:[/] {error}", highlight=False)
    generations = read_generations(request.file)
    selected = {p.id for p in select(loaded.problems, request.selection, dataset)}
    pairs = matched(generations, loaded.problems, request.skip_unknown, selected)
    if not pairs:
        raise ValueError(f"{request.file}: no generation for a selected problem")
    pool = JudgePool(backend, options)
    emit = _print_line(as_json)
    if request.db is None:
        verdicts = asyncio.run(judge_generations(pairs, pool, emit))
    else:
        config = {"dataset": dataset, "selection": request.selection.config(), "options": asdict(options),
                  "tests": sorted({(p.id, p.tests_hash()) for p, _ in pairs})}  # fmt: skip
        with Store(request.db) as store:
            destination = Destination.open(store, request.model or "", request.file, config)
            verdicts = asyncio.run(judge_generations(pairs, pool, emit, destination))
    summary = ", ".join(f"{verdict} {n}" for verdict, n in verdicts.most_common())
    where = f"; stored in {request.db} as {request.model}" if request.db else ""
    err_console.print(f"judged {len(pairs)} generations: {summary}{where}", highlight=False)
