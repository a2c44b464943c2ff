"""One (model, mode) pair of a run: each (problem, sample) is solved, scored and recorded.

The seams are inspect_ai's: the dataset (the selected problems), a Solver (a mode's episode, or
imported generations replayed), the Scorer (the judge) and the Recorder (the store). Where the
solving and scoring run is the executor's business; what is stored is decided here, in one place.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, replace

from codefront.harness.eval.recorder import Recorder, Scored
from codefront.harness.executors import Scorer, Solver
from codefront.harness.models.errors import EndpointError
from codefront.harness.results.degeneration import detect
from codefront.records import Attempt, Outcome, Problem, Sample

NO_NODE = "none"
"""Where an episode that never reached the model ran, as placements record it."""


@dataclass(frozen=True)
class RunKey:
    """What every sample of one pair is stored under."""

    run_id: str
    model: str
    model_key: str
    """The weights' identity (content hash, alpha, parents...), not just the name."""
    mode: str


class Evaluation:
    def __init__(
        self, key: RunKey, solver: Solver, scorer: Scorer, recorder: Recorder, concurrency: int | None = None
    ) -> None:
        """`concurrency` bounds the solver's calls in flight (model requests); None: unbounded."""
        self.key, self.solver, self.scorer, self.recorder = key, solver, scorer, recorder
        self.calls = asyncio.Semaphore(concurrency) if concurrency else contextlib.nullcontext()
        self.counts = dict.fromkeys(Outcome, 0)

    async def sample(self, problem: Problem, index: int) -> Sample:
        try:
            async with self.calls:
                placed = await self.solver(problem, index)
            attempt, episode_node = placed.value, placed.node
        except EndpointError as e:
            attempt, episode_node = Attempt(code=None, infra_error=str(e)), NO_NODE
        scored: Scored | None = None
        if not attempt.infra_error:
            scored = await self.recorder.score(problem, attempt.code, self.scorer)
            if scored.retry:
                attempt = replace(attempt, infra_error=f"judge: {scored.result.detail}")
        k = self.key
        sample = Sample(k.run_id, k.model, k.model_key, k.mode, problem.id, problem.difficulty, index,
                        attempt, scored.result if scored else None, detect(attempt))  # fmt: skip
        self.recorder.add(sample, episode_node, scored.node if scored else None)
        self.counts[sample.result.outcome if sample.result else Outcome.INFRA_ERROR] += 1
        return sample

    async def samples(
        self, todo: Sequence[tuple[Problem, int]], ordered: bool = False
    ) -> AsyncIterator[Sample]:
        """Every (problem, sample) of `todo` at once; each as it finishes, or in `todo`'s order as
        each prefix completes (`ordered`). Leaving early cancels what is still running."""
        tasks = [asyncio.ensure_future(self.sample(problem, index)) for problem, index in todo]
        try:
            for next_done in tasks if ordered else asyncio.as_completed(tasks):
                yield await next_done
        finally:
            for task in tasks:
                task.cancel()
