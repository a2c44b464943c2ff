"""Training data: problems from any loader, a fixed train/eval split, and GRPO's prompt dataset.

The split: a problem is held out for evaluation when the first 8 bytes of
sha256("codefront-split:" + id), read as a big-endian integer, are divisible by 5, so about one
problem in five. It depends on the id alone: the same on every machine and run, and a problem
keeps its side when others are added or removed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from codefront.agents.prompts import messages_for
from codefront.harness.problems.dataset import load_problems
from codefront.harness.problems.selection import EVERY_PROBLEM, Selection, select
from codefront.records import Problem

if TYPE_CHECKING:
    from datasets import Dataset

SPLIT_SALT = "codefront-split:"
EVAL_ONE_IN = 5


def is_eval(problem_id: str) -> bool:
    digest = hashlib.sha256((SPLIT_SALT + problem_id).encode()).digest()
    return int.from_bytes(digest[:8], "big") % EVAL_ONE_IN == 0


@dataclass(frozen=True)
class Split:
    train: tuple[Problem, ...]
    eval: tuple[Problem, ...]

    @classmethod
    def of(cls, problems: Sequence[Problem]) -> Split:
        return cls(
            tuple(p for p in problems if not is_eval(p.id)), tuple(p for p in problems if is_eval(p.id))
        )


def training_problems(dataset: str, holdout: bool = True, selection: Selection = EVERY_PROBLEM) -> Split:
    """`builtin`, a native problem file, a LiveCodeBench .jsonl or a folder of them (see load_problems);
    without `holdout` every problem trains and none is held out."""
    problems = select(load_problems(dataset, strict=True).problems, selection, dataset)
    split = Split.of(problems) if holdout else Split(tuple(problems), ())
    if not split.train:
        raise ValueError(f"{dataset}: no problems to train on ({len(split.eval)} held out for evaluation)")
    return split


def prompt_dataset(problems: Sequence[Problem], system_prompt: str | None = None) -> Dataset:
    """One row per problem: the evaluation's own chat prompt (conversational) and the problem id
    the reward function judges against."""
    from datasets import Dataset  # seconds to import: only training needs it

    return Dataset.from_list(
        [{"prompt": messages_for(p, system_prompt), "problem_id": p.id} for p in problems]
    )
