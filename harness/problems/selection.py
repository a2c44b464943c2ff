"""Which problems of a dataset a command works on: ids, difficulty, contest-date window, platform, limit.

One record (`Selection`, a section of the commands' configurations) and one function (`select`)
applied to loaded problems, shared by `harness run`, `harness train`, `harness judge` and
`harness calibrate`. A value the data does not have
is an error listing the values it has, and a selection that matches nothing is an error too: a run
of nothing looks like a run that went well.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from codefront.records import Problem


class SelectionError(ValueError):
    """A selection the data cannot satisfy; one line, naming the option and the values the data has."""


@dataclass(frozen=True)
class Selection:
    """Which problems of the dataset: every filter given narrows them, in the dataset's order."""

    problems: tuple[str, ...] = ()
    """Problem ids."""
    difficulty: tuple[str, ...] = ()
    """Difficulties (easy,medium,hard for LiveCodeBench; starter..hard for the built-in suite)."""
    platform: tuple[str, ...] = ()
    """Platforms (leetcode,atcoder,codeforces...)."""
    since: date | None = None
    """Contest date on or after this day (YYYY-MM-DD)."""
    until: date | None = None
    """Contest date on or before this day (YYYY-MM-DD)."""
    limit: int | None = None
    """Take the first K problems the other filters keep."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "difficulty", tuple(v.lower() for v in self.difficulty))
        object.__setattr__(self, "platform", tuple(v.lower() for v in self.platform))
        if self.limit is not None and self.limit < 0:
            raise SelectionError(f"--limit must not be negative, got {self.limit}")
        if self.since and self.until and self.since > self.until:
            raise SelectionError(f"--since {self.since} is after --until {self.until}")

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
