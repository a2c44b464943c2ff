"""Problem loaders: one registry of file formats (LiveCodeBench JSONL rows, native YAML/JSON files,
CodeContests and TACO/APPS rows as JSONL or Parquet, and any format registered later), the built-in
suite and LiveCodeBench by name.

A file goes to the most recently registered format whose suffixes include the file's and that
recognises its content, so a second `.jsonl` format needs only `register_format`, no CLI change.
"""

from __future__ import annotations

from pathlib import Path

from codefront.harness.loaders.base import Loaded, LoadOptions, ProblemFormat, ProblemLoadError
from codefront.harness.loaders.code_contests import CODE_CONTESTS
from codefront.harness.loaders.lcb import LCB
from codefront.harness.loaders.lcb_hub import DatasetUnavailable, load_release
from codefront.harness.loaders.native import NATIVE
from codefront.harness.loaders.taco import TACO

BUILTIN = "builtin"
LCB_NAME = "lcb"
"""LiveCodeBench from the Hugging Face hub: `lcb` (latest release) or `lcb:release_v6`, `lcb:v6`..."""
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


def load_problems(source: str, strict: bool = False, hidden: str = "private+public") -> Loaded:
    """`builtin`, LiveCodeBench by name (`lcb`, `lcb:release_v6`), a file in a registered format, or
    a folder of such files.

    A malformed problem, or a file in the folder that no format recognises, becomes an error in
    `Loaded.errors` and the rest still load; with `strict` the first one is raised instead. A
    single file that no format recognises raises. `hidden` picks LiveCodeBench's hidden tests:
    private+public (the default), private or public.
    """
    if source == BUILTIN:
        from codefront.harness.builtin import load_builtin

        return Loaded(load_builtin())
    options = LoadOptions(strict, hidden)
    path = Path(source)
    if (source == LCB_NAME or source.startswith(f"{LCB_NAME}:")) and not path.exists():
        return load_release(source, options)
    if not path.exists():
        raise FileNotFoundError(
            f"{source}: no such problem file or folder (or use '{BUILTIN}', '{LCB_NAME}' or '{LCB_NAME}:release_vN')"
        )
    if not path.is_dir():
        return format_of(path).load(path, options)
    suffixes = {suffix for fmt in FORMATS.values() for suffix in fmt.suffixes}
    loaded = Loaded()
    for file in sorted(p for p in path.iterdir() if p.suffix in suffixes):
        try:
            fmt = format_of(file)
        except ProblemLoadError as e:
            if strict:
                raise
            loaded.errors.append(e)
            continue
        loaded.extend(fmt.load(file, options))
    return loaded


__all__ = [
    "BUILTIN",
    "LCB_NAME",
    "DatasetUnavailable",
    "FORMATS",
    "LoadOptions",
    "Loaded",
    "ProblemFormat",
    "ProblemLoadError",
    "describe_formats",
    "format_of",
    "load_problems",
    "register_format",
]
