"""The default executor: every episode and judging in this process, through the mode's sandbox."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from typing import Any

from codefront.agents.context import ModeContext
from codefront.agents.modes import mode_named
from codefront.harness.executors.base import EpisodeSetup, Placed, Served
from codefront.harness.judge.judge import JudgeOptions, JudgePool, judge_many
from codefront.harness.models.client import open_model
from codefront.harness.models.registry import Registry
from codefront.harness.models.spec import ModelSpec
from codefront.records import Attempt, JudgeResult, Problem
from codefront.sandbox import backend_named
from codefront.sandbox.base import SandboxBackend

LOCAL_NODE = "local"


class LocalSolver:
    """A mode's episodes in this process, each sample with its own seed."""

    def __init__(self, setup: EpisodeSetup, ctx: ModeContext) -> None:
        self.setup, self.ctx, self.mode = setup, ctx, mode_named(setup.mode)

    async def __call__(self, problem: Problem, index: int) -> Placed[Attempt]:
        ctx = replace(self.ctx, seed=self.setup.sample_seed(problem, index))
        return Placed(await self.mode(problem, ctx), LOCAL_NODE)


class LocalScorer:
    """The judge in this process, with warm runners where the backend keeps them."""

    def __init__(self, backend: SandboxBackend, options: JudgeOptions) -> None:
        self.pool, self.options = JudgePool(backend, options), options

    async def __call__(self, problem: Problem, code: str | None) -> Placed[JudgeResult]:
        return Placed(await self.pool.judge(problem, code), LOCAL_NODE)


class LocalExecutor:
    """One backend of each kind for every episode and judging (a Docker backend's pool of
    containers is shared), and the judge pools closed with the executor."""

    name = "local"

    def __init__(self) -> None:
        self.backends: dict[str, SandboxBackend] = {}
        self.scorers: list[LocalScorer] = []

    def backend(self, name: str) -> SandboxBackend:
        if name not in self.backends:
            self.backends[name] = backend_named(name)
        return self.backends[name]

    def share(self, problems: Sequence[Problem]) -> None:
        pass  # they are already here

    @contextlib.asynccontextmanager
    async def open_model(self, spec: ModelSpec, registry: Registry) -> AsyncIterator[Served]:
        async with open_model(spec.name, registry) as client:
            yield Served(client)

    def solver(self, setup: EpisodeSetup, client: Any) -> LocalSolver:
        ctx = ModeContext(client, self.backend(setup.sandbox), setup.spec.system_prompt,
                          setup.spec.tool_protocol, setup.budgets)  # fmt: skip
        return LocalSolver(setup, ctx)

    def scorer(self, sandbox: str, options: JudgeOptions) -> LocalScorer:
        self.scorers.append(LocalScorer(self.backend(sandbox), options))
        return self.scorers[-1]

    def judge_batch(
        self,
        items: Sequence[tuple[Problem, str | None]],
        backend: SandboxBackend,
        options: JudgeOptions,
        concurrency: int | None = None,
    ) -> list[Placed[JudgeResult]]:
        return [Placed(r, LOCAL_NODE) for r in judge_many(items, backend, options, concurrency)]

    def close(self) -> None:
        for scorer in self.scorers:
            scorer.pool.close()
