"""What a run shows while it works and when it is done: a bar per (model, mode) with its outcomes so
far under an overall bar, then a summary table of the pairs."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from codefront.harness.eval.config import Pair
from codefront.records import Outcome, Sample

COLUMN_OF = {Outcome.SOLVED: "solved", Outcome.CORRECTNESS_FAILURE: "wrong",
             Outcome.OPTIMIZATION_FAILURE: "slow", Outcome.INFRA_ERROR: "infra"}  # fmt: skip


@dataclass
class PairOutcome:
    pair: Pair
    run_id: str = ""
    model_key: str = ""
    resumed: int = 0
    counts: dict[Outcome, int] = field(default_factory=dict)


class RunProgress:
    """An overall bar and one per pair, each with its pair's outcomes so far."""

    def __init__(self, console: Console, pairs: list[Pair], per_pair: int) -> None:
        self.bar = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("[green]solved {task.fields[solved]}[/] [red]wrong {task.fields[wrong]}[/] "
                       "[yellow]slow {task.fields[slow]}[/] [magenta]infra {task.fields[infra]}[/]"),
            TimeElapsedColumn(), TimeRemainingColumn(), console=console,
        )  # fmt: skip
        zero = dict.fromkeys(COLUMN_OF.values(), 0)
        self.overall = self.bar.add_task("run", total=per_pair * len(pairs), **zero)
        self.tasks = {p: self.bar.add_task(f"{p.model} · {p.mode}", total=per_pair, **zero) for p in pairs}
        self.totals = dict(zero)

    def __enter__(self) -> RunProgress:
        self.bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.__exit__(*exc)

    def say(self, text: str) -> None:
        self.bar.console.print(text, highlight=False)

    def resumed(self, outcome: PairOutcome) -> None:
        self.bar.update(self.tasks[outcome.pair], advance=outcome.resumed)
        self.bar.update(self.overall, advance=outcome.resumed)

    def finished(self, outcome: PairOutcome, sample: Sample) -> None:
        self.totals[COLUMN_OF[sample.result.outcome if sample.result else Outcome.INFRA_ERROR]] += 1
        pair_counts = {COLUMN_OF[o]: n for o, n in outcome.counts.items()}
        self.bar.update(self.tasks[outcome.pair], advance=1, **pair_counts)
        self.bar.update(self.overall, advance=1, **self.totals)


def summary_table(pairs: list[PairOutcome]) -> Table:
    table = Table(title="run")
    for column in ("model", "mode", "run", "resumed", "new", "solved", "wrong", "slow", "infra", "solved %"):
        table.add_column(column, justify="left" if column in ("model", "mode", "run") else "right")
    for pair in pairs:
        c = pair.counts
        new = sum(c.values())
        judged = new - c[Outcome.INFRA_ERROR]
        rate = f"{100 * c[Outcome.SOLVED] / judged:.1f}" if judged else "-"
        table.add_row(pair.pair.model, pair.pair.mode, pair.run_id[:12], str(pair.resumed), str(new),
                      str(c[Outcome.SOLVED]), str(c[Outcome.CORRECTNESS_FAILURE]),
                      str(c[Outcome.OPTIMIZATION_FAILURE]), str(c[Outcome.INFRA_ERROR]), rate)  # fmt: skip
    return table
