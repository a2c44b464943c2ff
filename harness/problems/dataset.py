"""The dataset step of every command: problems from a source (the built-in suite, LiveCodeBench by
name, a file or a folder), selected, and given the machine's calibrated limits when a limits file
is named."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from codefront.harness.problems.builtin import load_builtin
from codefront.harness.problems.calibrate import apply_limits, load_limits
from codefront.harness.problems.loaders import Loaded, LoadOptions, ProblemLoadError, load_path
from codefront.harness.problems.loaders.lcb_hub import load_release
from codefront.harness.problems.selection import EVERY_PROBLEM, Selection, select
from codefront.records import Problem

BUILTIN = "builtin"
LCB_NAME = "lcb"
"""LiveCodeBench from the Hugging Face hub: `lcb` (latest release) or `lcb:release_v6`, `lcb:v6`..."""


def load_problems(source: str, strict: bool = False, hidden: str = "private+public") -> Loaded:
    """`builtin`, LiveCodeBench by name (`lcb`, `lcb:release_v6`), a file in a registered format, or
    a folder of such files (see loaders.load_path for what a malformed one does). `hidden` picks
    LiveCodeBench's hidden tests: private+public (the default), private or public."""
    if source == BUILTIN:
        return Loaded(load_builtin())
    options = LoadOptions(strict, hidden)
    path = Path(source)
    if (source == LCB_NAME or source.startswith(f"{LCB_NAME}:")) and not path.exists():
        return load_release(source, options)
    if not path.exists():
        raise FileNotFoundError(
            f"{source}: no such problem file or folder (or use '{BUILTIN}', '{LCB_NAME}' or '{LCB_NAME}:release_vN')"
        )
    return load_path(path, options)


@dataclass(frozen=True)
class ProblemSet:
    problems: tuple[Problem, ...]
    """The selected problems, in the dataset's order."""
    loaded: frozenset[str] = frozenset()
    """The id of every problem the source holds, selected or not."""
    skipped: tuple[ProblemLoadError, ...] = ()
    """Malformed problems left out (each names its file, line and field)."""


def problem_set(
    source: str, selection: Selection = EVERY_PROBLEM, limits: Path | None = None, strict: bool = False
) -> ProblemSet:
    """`source` as `load_problems` takes it; SelectionError when the selection keeps nothing."""
    loaded = load_problems(source, strict)
    chosen = select(loaded.problems, selection, source)
    if limits is not None:
        chosen = apply_limits(chosen, load_limits(limits))
    return ProblemSet(tuple(chosen), frozenset(p.id for p in loaded.problems), tuple(loaded.errors))
