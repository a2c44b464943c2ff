"""Problem loaders: LiveCodeBench JSONL rows, native YAML/JSON files, the built-in suite."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from codefront.harness.problems import Problem


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


def load_problems(source: str, strict: bool = False, hidden: str = "private+public") -> Loaded:
    """`builtin`, a LiveCodeBench `.jsonl`, a native `.yaml`/`.yml`/`.json` file, or a folder of them.

    A malformed problem becomes an error in `Loaded.errors` and the rest still load; with
    `strict` the first one is raised instead. `hidden` picks LiveCodeBench's hidden tests:
    private+public (the default), private or public.
    """
    if source == "builtin":
        from codefront.harness.builtin import load_builtin

        return Loaded(load_builtin())
    path = Path(source)
    if not path.exists():
        raise FileNotFoundError(f"{source}: no such problem file or folder (or use 'builtin')")
    files = (
        sorted(p for p in path.iterdir() if p.suffix in {".jsonl", ".yaml", ".yml", ".json"})
        if path.is_dir()
        else [path]
    )
    loaded = Loaded()
    for file in files:
        if file.suffix == ".jsonl":
            from codefront.harness.loaders.lcb import load_lcb

            part = load_lcb(file, strict, hidden)
        else:
            from codefront.harness.loaders.native import load_native

            part = load_native(file, strict)
        loaded.problems += part.problems
        loaded.errors += part.errors
    return loaded
