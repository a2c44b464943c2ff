"""What every problem loader shares: its result, its errors, its options and its registration."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from codefront.records import Problem


class ProblemLoadError(ValueError):
    """A malformed problem: names the file, the line (JSONL) and the field."""

    def __init__(self, file: str, line: int | None, field: str, message: str) -> None:
        self.file, self.line, self.field, self.message = file, line, field, message
        where = f"{file}:{line}" if line is not None else file
        super().__init__(f"{where}: field '{field}': {message}")


@dataclass
class Loaded:
    problems: list[Problem] = field(default_factory=list)
    errors: list[ProblemLoadError] = field(default_factory=list)

    def extend(self, other: Loaded) -> None:
        self.problems += other.problems
        self.errors += other.errors


@dataclass(frozen=True)
class LoadOptions:
    strict: bool = False
    """Raise the first malformed problem instead of collecting it in `Loaded.errors`."""
    hidden: str = "private+public"
    """Which LiveCodeBench tests are hidden: private+public, private or public."""


@dataclass(frozen=True)
class ProblemFormat:
    """One file format the loaders understand, registered by name (`loaders.register_format`)."""

    name: str
    description: str
    suffixes: tuple[str, ...]
    """File name endings this format may use, e.g. (".jsonl",)."""
    recognises: Callable[[Path], bool]
    """Whether a file with one of the suffixes holds this format, judged by its content."""
    load: Callable[[Path, LoadOptions], Loaded]

    def describe(self) -> str:
        return f"{self.name} ({'/'.join(self.suffixes)}: {self.description})"
