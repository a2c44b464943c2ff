"""The default executor: every episode and judging in this process, through the mode's sandbox."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

from codefront.agents.context import ModeContext
from codefront.agents.modes import mode_named
from codefront.harness.executors import EpisodeSetup, Placed, Served
from codefront.harness.judge.judge import JudgeOptions, JudgePool, judge_many
from codefront.harness.judge.records import JudgeResult
from codefront.harness.models.client import open_model
from codefront.harness.models.registry import Registry
from codefront.harness.models.spec import ModelSpec
from codefront.harness.problems import Problem
from codefront.harness.records import Attempt
from codefront.sandbox import backend_named
from codefront.sandbox.base import SandboxBackend

LOCAL_NODE = "local"


class LocalWork:
    """A mode over a context, judged by a pool; `Evaluation` builds one when given no executor."""

    def __init__(self, mode: str, ctx: ModeContext, judges: JudgePool) -> None:
        self.mode, self.ctx, self.judges = mode_named(mode), ctx, judges
        self.options = judges.options

    async def attempt(self, problem: Problem) -> Placed[Attempt]:
        return Placed(await self.mode(problem, self.ctx), LOCAL_NODE)

    async def judge(self, problem: Problem, code: str | None) -> Placed[JudgeResult]:
        return Placed(await self.judges.judge(problem, code), LOCAL_NODE)


class LocalExecutor:
    name = "local"

    def share(self, problems: Sequence[Problem]) -> None:
        pass  # they are already here

    @contextlib.asynccontextmanager
    async def open_model(self, spec: ModelSpec, registry: Registry) -> AsyncIterator[Served]:
        async with open_model(spec.name, registry) as client:
            yield Served(client)

    def pair_work(self, setup: EpisodeSetup, client: Any, options: JudgeOptions) -> LocalWork:
        backend = backend_named(setup.sandbox)
        ctx = ModeContext(client, backend, setup.spec.system_prompt, setup.spec.tool_protocol, setup.budgets)
        return LocalWork(setup.mode, ctx, JudgePool(backend, options))

    def judge_batch(
        self,
        items: Sequence[tuple[Problem, str | None]],
        backend: SandboxBackend,
        options: JudgeOptions,
        concurrency: int | None = None,
    ) -> list[Placed[JudgeResult]]:
        return [Placed(r, LOCAL_NODE) for r in judge_many(items, backend, options, concurrency)]

    def close(self) -> None:
        pass
