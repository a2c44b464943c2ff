"""Which problems of a dataset a command works on: ids, difficulty, contest-date window, platform, limit.

One record (`Selection`) built from the command line and one function (`select`) applied to loaded
problems, shared by `harness run`, `harness train` and `harness judge`. A value the data does not have
is an error listing the values it has, and a selection that matches nothing is an error too: a run
of nothing looks like a run that went well.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated

import typer

from codefront.harness.problems import Problem


class SelectionError(ValueError):
    """A selection the data cannot satisfy; one line, naming the option and the values the data has."""


@dataclass(frozen=True)
class Selection:
    problems: tuple[str, ...] = ()
    """Problem ids, in any order (the dataset's order is kept)."""
    difficulty: tuple[str, ...] = ()
    platform: tuple[str, ...] = ()
    since: date | None = None
    """Earliest contest date, inclusive."""
    until: date | None = None
    """Latest contest date, inclusive."""
    limit: int | None = None
    """The first K problems of what the other filters keep."""

    @staticmethod
    def parse(
        problems: str | None = None,
        difficulty: str | None = None,
        platform: str | None = None,
        since: str | None = None,
        until: str | None = None,
        limit: int | None = None,
    ) -> Selection:
        """From the command line's comma-separated lists and ISO dates."""
        if limit is not None and limit < 0:
            raise SelectionError(f"--limit must not be negative, got {limit}")
        selection = Selection(
            problems=_names(problems),
            difficulty=tuple(v.lower() for v in _names(difficulty)),
            platform=tuple(v.lower() for v in _names(platform)),
            since=_date(since, "--since"),
            until=_date(until, "--until"),
            limit=limit,
        )
        if selection.since and selection.until and selection.since > selection.until:
            raise SelectionError(f"--since {selection.since} is after --until {selection.until}")
        return selection

    def config(self) -> dict:
        """What a run's id hashes. `limit` and `problems` always (ids of runs made before the other
        filters existed stay the same); the others only when given."""
        settings: dict = {"limit": self.limit, "problems": list(self.problems)}
        for name in ("difficulty", "platform"):
            if getattr(self, name):
                settings[name] = list(getattr(self, name))
        for name in ("since", "until"):
            if getattr(self, name):
                settings[name] = getattr(self, name).isoformat()
        return settings


EVERY_PROBLEM = Selection()


def _names(text: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in text.split(",") if v.strip()) if text else ()


def _date(text: str | None, option: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise SelectionError(f"{option}: {text!r} is not a date (YYYY-MM-DD)") from None


def contest_day(problem: Problem) -> date | None:
    """The problem's contest date (LiveCodeBench writes `2023-08-21T00:00:00`), or None."""
    try:
        return date.fromisoformat(problem.contest_date[:10]) if problem.contest_date else None
    except ValueError:
        return None


def _has(values: set[str]) -> str:
    return ", ".join(sorted(values)) if values else "none"


def _by_value(problems: list[Problem], field: str, wanted: tuple[str, ...], option: str) -> list[Problem]:
    if not wanted:
        return problems
    present = {getattr(p, field).lower() for p in problems if getattr(p, field)}
    unknown = [v for v in wanted if v not in present]
    if unknown:
        raise SelectionError(f"{option}: no problem has {', '.join(unknown)} (the data has: {_has(present)})")
    return [p for p in problems if getattr(p, field).lower() in wanted]


def _by_date(problems: list[Problem], since: date | None, until: date | None) -> list[Problem]:
    if since is None and until is None:
        return problems
    days = {p.id: contest_day(p) for p in problems}
    known = [d for d in days.values() if d is not None]
    if not known:
        raise SelectionError("--since/--until: no problem in the data has a contest date")
    lo, hi = since or date.min, until or date.max
    kept = [p for p in problems if days[p.id] is not None and lo <= days[p.id] <= hi]
    if not kept:
        raise SelectionError(
            f"--since/--until: no problem between {lo if since else '...'} and {hi if until else '...'} "
            f"(the data's contest dates run from {min(known)} to {max(known)})"
        )
    return kept


def select(problems: Sequence[Problem], selection: Selection, source: str = "the data") -> list[Problem]:
    """The selected problems in the dataset's order; SelectionError if a filter names a value the data
    does not have or if nothing is left."""
    chosen = list(problems)
    if selection.problems:
        known = {p.id for p in chosen}
        missing = [pid for pid in selection.problems if pid not in known]
        if missing:
            raise SelectionError(f"{source}: no problem with id {', '.join(map(repr, missing))}")
        chosen = [p for p in chosen if p.id in selection.problems]
    chosen = _by_value(chosen, "difficulty", selection.difficulty, "--difficulty")
    chosen = _by_value(chosen, "platform", selection.platform, "--platform")
    chosen = _by_date(chosen, selection.since, selection.until)
    if selection.limit is not None:
        chosen = chosen[: selection.limit]
    if not chosen:
        raise SelectionError(f"{source}: the selection matches no problem")
    return chosen


ProblemsOption = Annotated[str | None, typer.Option(help="Comma-separated problem ids.")]
DifficultyOption = Annotated[
    str | None, typer.Option(help="Comma-separated difficulties (easy,medium,hard for LiveCodeBench).")
]
PlatformOption = Annotated[
    str | None, typer.Option(help="Comma-separated platforms (leetcode,atcoder,codeforces...).")
]
SinceOption = Annotated[str | None, typer.Option(help="Contest date on or after YYYY-MM-DD.")]
UntilOption = Annotated[str | None, typer.Option(help="Contest date on or before YYYY-MM-DD.")]
LimitOption = Annotated[int | None, typer.Option(help="Take the first K selected problems.")]
