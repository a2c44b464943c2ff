"""The pipeline's evaluation: every checkpoint it made, each set of weights evaluated once.

Two names can serve the same weights: a merge at alpha 0 or 1 has the tensors of its low or high
parent by construction (the merge copies them; only the shards' metadata differ), and two trained
checkpoints whose training learned nothing have the same model key. Such names form one group: its
first name is served and evaluated, and the store names the group's weights by all of them
("cov1 = alpha0"), so the report shows every checkpoint once, with no sample drawn twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console

from codefront.harness.eval.config import RunConfig
from codefront.harness.eval.progress import summary_table
from codefront.harness.eval.recorder import Recorder
from codefront.harness.eval.run import run
from codefront.harness.models.provenance import checkpoint_identity
from codefront.harness.models.registry import Registry
from codefront.harness.results.store import Store

SHARED_WEIGHTS = " = "
"""Joins the names of one set of weights in the store and so in the report."""


@dataclass(frozen=True)
class Made:
    """A checkpoint of the pipeline (its base, a trained level or a merge), by registry name."""

    name: str
    same_tensors_as: str | None = None
    """An earlier checkpoint whose tensors this one has by construction (a merge at alpha 0 or 1)."""


def weight_groups(made: list[Made], registry: Registry) -> list[tuple[str, ...]]:
    """The names grouped by the weights they serve, in the order made; each group's first name is
    the one evaluated."""
    first_of: dict[str, str] = {}
    first_by_key: dict[str, str] = {}
    groups: dict[str, list[str]] = {}
    for m in made:
        if m.same_tensors_as is not None:
            first = first_of[m.same_tensors_as]
        else:
            key = checkpoint_identity(registry.get(m.name)).key()
            first = first_by_key.setdefault(key, m.name)
        first_of[m.name] = first
        groups.setdefault(first, []).append(m.name)
    return [tuple(names) for names in groups.values()]


async def evaluate_groups(config: RunConfig, groups: list[tuple[str, ...]], console: Console) -> None:
    """One run over each group's first name in every mode (a server per checkpoint, one at a time),
    then every group's weights named by all of its names."""
    result = await run(config, console)
    console.print(summary_table(result.pairs))
    with Store(config.db) as store:
        recorder = Recorder(store)
        for names in groups:
            if len(names) > 1:
                keys = {pair.model_key for pair in result.pairs if pair.pair.model == names[0]}
                recorder.name_weights(keys, SHARED_WEIGHTS.join(names))


def group_lines(groups: list[tuple[str, ...]]) -> list[str]:
    """What the console says about the plan: one line per set of weights."""
    return [
        names[0] + (f" (also {', '.join(names[1:])}: same weights)" if len(names) > 1 else "")
        for names in groups
    ]
