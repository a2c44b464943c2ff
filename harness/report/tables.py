"""The report's tables as plain text cells, rendered by rich in the terminal and as HTML in the report."""

from __future__ import annotations

from dataclasses import dataclass

from rich.table import Table

from codefront.harness.report.build import Report
from codefront.harness.report.compare import Difference, PairedComparison
from codefront.harness.report.estimators import Interval
from codefront.harness.report.metrics import MetricsRow

MAX_LISTED = 12


@dataclass(frozen=True)
class TextTable:
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def to_rich(table: TextTable) -> Table:
    rendered = Table(title=table.title)
    for column in table.columns:
        rendered.add_column(column)
    for row in table.rows:
        rendered.add_row(*row)
    return rendered


def pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def ci(interval: Interval | None) -> str:
    """Whole percentage points: the exports carry the exact bounds."""
    return "" if interval is None else f"[{100 * interval.low:.0f}, {100 * interval.high:.0f}]"


def num(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def report_tables(report: Report, by_difficulty: bool = True) -> list[TextTable]:
    tables = [metrics_table(report.rows, "Per checkpoint and mode")]
    if by_difficulty:
        tables.append(metrics_table(report.difficulty_rows, "Per checkpoint, mode and difficulty"))
    if report.alpha:
        tables.append(alpha_table(report))
    tables += [ensemble_table(report), complementarity_table(report)]
    tables += [table for c in report.comparisons for table in comparison_tables(c)]
    return [*tables, runs_table(report)] if report.data.runs else tables


def metrics_table(rows: list[MetricsRow], title: str) -> TextTable:
    ks = sorted({k for r in rows for k in r.pass_at})
    by_difficulty = any(r.difficulty is not None for r in rows)
    columns = ("model", "mode", *(("difficulty",) if by_difficulty else ()), "problems", "samples", "infra")
    columns += ("solve [95% CI]", "corr. fail", "opt. fail", "coverage")
    columns += (*(f"pass@{k}" for k in ks), "tokens", "cost $")
    body = []
    for r in rows:
        cells = (r.model, r.mode, *((r.difficulty or "",) if by_difficulty else ()))
        cells += (
            str(r.problems),
            str(r.samples),
            str(r.infra_errors),
            with_ci(r.solve_rate, r.solve_rate_ci),
        )
        cells += (pct(r.correctness_failure_rate), pct(r.optimization_failure_rate), num(r.mean_coverage))
        cells += tuple(with_ci(r.pass_at.get(k), r.pass_at_ci.get(k)) for k in ks)
        cells += (num(r.mean_completion_tokens, 0), num(r.cost_usd, 4))
        body.append(cells)
    return TextTable(title, columns, tuple(body))


def with_ci(value: float | None, interval: Interval | None) -> str:
    return f"{pct(value)} {ci(interval)}".strip()


def alpha_table(report: Report) -> TextTable:
    columns = ("family", "mode", "alpha", "role", "model", "solve", "corr. fail", "opt. fail")
    columns += ("max tokens", "empty", "no code", "loop")
    body = []
    for p in report.alpha:
        r = p.row
        role = p.role if p.coverage_level is None else f"{p.role}, level {p.coverage_level}"
        cells = (p.family, p.mode, f"{p.alpha:.3g}", role, p.model, pct(r.solve_rate))
        cells += (pct(r.correctness_failure_rate), pct(r.optimization_failure_rate))
        body.append(cells + tuple(pct(r.degeneration[s]) for s in r.degeneration))
    return TextTable("Along alpha (endpoints: low = 0, high = 1)", columns, tuple(body))


def ensemble_table(report: Report) -> TextTable:
    columns = ("mode", "k", "problems", "best single", "pass", "best ensemble", "split", "pass", "gain")
    body = []
    for r in report.ensembles:
        single, group = r.best_single, r.best_ensemble
        cells = (r.mode, str(r.k), str(r.problems))
        cells += (single.members[0], pct(single.pass_rate)) if single else ("-",) * 2
        if group:
            cells += (" + ".join(group.members), "/".join(map(str, group.split)), pct(group.pass_rate))
        else:
            cells += ("-",) * 3
        gain = group.pass_rate - single.pass_rate if single and group else None
        body.append((*cells, "-" if gain is None else f"{100 * gain:+.1f} pts"))
    title = f"Ensembles at matched budget (up to {report.settings.max_ensemble} members, even split)"
    return TextTable(title, columns, tuple(body))


def complementarity_table(report: Report) -> TextTable:
    columns = ("mode", "model", "solved", "unique", "unique problems", "union coverage")
    body = []
    for comp in report.complementarity:
        for label, solved in comp.solved.items():
            unique = sorted(comp.unique[label])
            listed = ", ".join(unique[:MAX_LISTED]) + (" ..." if len(unique) > MAX_LISTED else "")
            cells = (comp.mode, label, f"{len(solved)}/{len(comp.problems)}", str(len(unique)), listed)
            body.append((*cells, pct(comp.union_coverage)))
    return TextTable("Problems solved (any sample) and solved by one checkpoint only", columns, tuple(body))


def comparison_tables(comparison: PairedComparison) -> list[TextTable]:
    """The paired differences, then which problems each side solves (any sample)."""
    columns = ("metric", comparison.a, comparison.b, "difference", "paired 95% CI")
    body = [_difference_row("solve rate", comparison.solve_rate)]
    body += [_difference_row(f"pass@{k}", d) for k, d in comparison.pass_at.items() if d]
    title = f"{comparison.a} vs {comparison.b} on {comparison.problems} shared problems"
    cells = []
    for name, problems in (
        (f"{comparison.a} only", comparison.only_a),
        (f"{comparison.b} only", comparison.only_b),
        ("both", comparison.both),
        ("neither", comparison.neither),
    ):
        listed = ", ".join(problems[:MAX_LISTED]) + (" ..." if len(problems) > MAX_LISTED else "")
        cells.append((name, str(len(problems)), listed))
    diff_view = TextTable(
        f"Solved by ({comparison.a} vs {comparison.b})", ("solved by", "count", "problems"), tuple(cells)
    )
    return [TextTable(title, columns, tuple(body)), diff_view]


def _difference_row(name: str, d: Difference) -> tuple[str, ...]:
    return (name, pct(d.a), pct(d.b), f"{100 * d.diff:+.1f} pts", ci(d.ci))


def runs_table(report: Report) -> TextTable:
    """Each run's reproducibility record; a run resumed under another set-up has a line per set-up."""
    rows = []
    for run in report.data.runs:
        for env in run.environments or ({},):
            rows.append((run.run_id[:12], run.checkpoint, run.mode, "-" if run.seed is None else str(run.seed),
                         *environment_cells(env)))  # fmt: skip
    columns = ("run", "model", "mode", "seed", "codefront", "packages", "judge", "machine")
    return TextTable("Runs: what each ran with", columns, tuple(rows))


def environment_cells(env: dict) -> tuple[str, str, str, str]:
    """codefront, packages, judge and machine as cells; '-' for a run stored before they were kept."""
    if not env:
        return ("-", "-", "-", "not recorded")
    commit = env.get("commit") or ""
    codefront = env.get("codefront", "") + (
        f" ({commit[:12]}{'+dirty' * commit.endswith('+dirty')})" if commit else ""
    )
    packages = ", ".join(f"{name} {version}" for name, version in env.get("packages", {}).items() if version)
    machine = env.get("machine", {})
    flags = "+".join(machine.get("cpu_flags", ())) or "no AVX2"
    where = f"{machine.get('cpu', '?')}, {machine.get('cores', '?')} cores, {flags}, Python {machine.get('python', '?')}"
    return (codefront, packages or "-", env.get("judge", "-"), where)
