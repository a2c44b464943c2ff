"""Problem file formats, in one registry: LiveCodeBench JSONL rows, native YAML/JSON files,
CodeContests and TACO/APPS rows as JSONL or Parquet, and any format registered later.

A file goes to the most recently registered format whose suffixes include the file's and that
recognises its content, so a second `.jsonl` format needs only `register_format`, no CLI change.
Sources by name (the built-in suite, LiveCodeBench from the hub) are harness/problems/dataset.py's.
"""

from __future__ import annotations

from pathlib import Path

from codefront.harness.problems.loaders.base import Loaded, LoadOptions, ProblemFormat, ProblemLoadError
from codefront.harness.problems.loaders.code_contests import CODE_CONTESTS
from codefront.harness.problems.loaders.lcb import LCB
from codefront.harness.problems.loaders.native import NATIVE
from codefront.harness.problems.loaders.taco import TACO

FORMATS: dict[str, ProblemFormat] = {fmt.name: fmt for fmt in (NATIVE, LCB, CODE_CONTESTS, TACO)}
"""Every file format by name, in registration order."""


def register_format(fmt: ProblemFormat) -> None:
    """Add a format (or replace the one of that name); it is asked before those registered earlier."""
    FORMATS.pop(fmt.name, None)
    FORMATS[fmt.name] = fmt


def describe_formats() -> str:
    return "; ".join(fmt.describe() for fmt in FORMATS.values())


def format_of(path: Path) -> ProblemFormat:
    """The format that claims this file, or ProblemLoadError naming the file and every format."""
    for fmt in reversed(FORMATS.values()):
        if path.suffix in fmt.suffixes and fmt.recognises(path):
            return fmt
    raise ProblemLoadError(str(path), None, "document", f"not a known problem format ({describe_formats()})")


def load_path(path: Path, options: LoadOptions) -> Loaded:
    """A file in a registered format, or a folder of such files.

    A malformed problem, or a file in the folder that no format recognises, becomes an error in
    `Loaded.errors` and the rest still load; with `options.strict` the first one is raised instead.
    A single file that no format recognises raises."""
    if not path.is_dir():
        return format_of(path).load(path, options)
    suffixes = {suffix for fmt in FORMATS.values() for suffix in fmt.suffixes}
    loaded = Loaded()
    for file in sorted(p for p in path.iterdir() if p.suffix in suffixes):
        try:
            fmt = format_of(file)
        except ProblemLoadError as e:
            if options.strict:
                raise
            loaded.errors.append(e)
            continue
        loaded.extend(fmt.load(file, options))
    return loaded


__all__ = [
    "FORMATS",
    "LoadOptions",
    "Loaded",
    "ProblemFormat",
    "ProblemLoadError",
    "describe_formats",
    "format_of",
    "load_path",
    "register_format",
]
