"""`--executor ray`: judging as 1-CPU Ray tasks spread over the cluster, episodes on per-node actors.

Problems go into the object store once (`share`) and tasks name them by reference. Each alive node
gets one `NodeWorker` actor (0 CPUs, so judging keeps the node's cores) that owns that node's sandbox
backend and model clients: tool-use and agentic containers start on the worker nodes, never all on
the driver. When a node dies, Ray re-runs its judging tasks elsewhere (`max_retries`); an episode
whose actor died is sent again to another node's actor. Nothing here writes the store: results come
back to the driver, which records each sample once."""

from __future__ import annotations

import asyncio
import functools
import itertools
import os
import threading
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

import ray
from ray.exceptions import RayActorError
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

from codefront.agents.context import ModeContext
from codefront.agents.modes import mode_named
from codefront.harness.executors.base import EpisodeSetup, Placed, Served
from codefront.harness.executors.local import LocalExecutor
from codefront.harness.executors.ray_serving import served_on_ray
from codefront.harness.judge.judge import JudgeOptions, judge_async
from codefront.harness.judge.warm import WarmRunners, warm_runners
from codefront.harness.models.client import ChatClient
from codefront.harness.models.registry import Registry
from codefront.harness.models.spec import ModelSpec
from codefront.records import Attempt, JudgeResult, Problem
from codefront.sandbox import backend_named
from codefront.sandbox.base import SandboxBackend

JUDGE_RETRIES = 3
"""Times Ray re-runs a judging whose worker or node died (system failures only: a verdict is final)."""
EPISODE_REDISPATCHES = 3


def this_node() -> str:
    return ray.get_runtime_context().get_node_id()


def plain_loop() -> asyncio.AbstractEventLoop:
    """The standard library's loop, as in a local run. Ray's own (uvloop) leaks the pipes of a
    subprocess into its children, so a daemon such as the Python tool's session keeps them open and
    the sandbox's exec never sees end of output. Ray's already running loop keeps its own policy; the
    standard one here brings the standard child watcher for this loop's subprocesses."""
    asyncio.set_event_loop_policy(asyncio.DefaultEventLoopPolicy())
    return asyncio.SelectorEventLoop()


_judging: dict[str, tuple[SandboxBackend, WarmRunners | None]] = {}
"""This worker process's backends by name, with their warm runners: they outlive a task's loop."""


@ray.remote(num_cpus=1, max_retries=JUDGE_RETRIES)
def judge_task(problem: Problem, code: str | None, sandbox: str, options: JudgeOptions):
    if sandbox not in _judging:
        backend = backend_named(sandbox)
        _judging[sandbox] = (backend, warm_runners(backend))
    backend, warm = _judging[sandbox]
    with asyncio.Runner(loop_factory=plain_loop) as runner:
        result = runner.run(judge_async(problem, code, backend, options, warm))
    return result, this_node()


@ray.remote(num_cpus=0, max_restarts=0)
class NodeWorker:
    """One per node: runs episodes against that node's sandbox backend, one model client per setup."""

    def __init__(self) -> None:
        self.clients: dict[tuple, ChatClient] = {}
        self.loop = plain_loop()  # episodes run there, on a thread of their own
        threading.Thread(target=self.loop.run_forever, daemon=True).start()

    async def episode(self, setup: EpisodeSetup, problem: Problem, index: int) -> tuple[Attempt, str]:
        running = asyncio.run_coroutine_threadsafe(self._episode(setup, problem, index), self.loop)
        return await asyncio.wrap_future(running), this_node()

    async def _episode(self, setup: EpisodeSetup, problem: Problem, index: int) -> Attempt:
        key = (setup.spec, setup.base_url, setup.served_model)
        if key not in self.clients:
            self.clients[key] = ChatClient(setup.spec, base_url=setup.base_url, model=setup.served_model)
        ctx = ModeContext(self.clients[key], backend_named(setup.sandbox), setup.spec.system_prompt,
                          setup.spec.tool_protocol, setup.budgets, setup.sample_seed(problem, index))  # fmt: skip
        return await mode_named(setup.mode)(problem, ctx)


class NodeWorkers:
    """The alive nodes' actors, least-loaded first; dead ones are dropped and new nodes picked up."""

    def __init__(self) -> None:
        self.actors: dict[str, Any] = {}
        self.load: dict[str, int] = {}
        self.refresh()

    def refresh(self) -> None:
        alive = {n["NodeID"] for n in ray.nodes() if n["Alive"]}
        for node in set(self.actors) - alive:
            self.forget(node)
        for node in alive - set(self.actors):
            strategy = NodeAffinitySchedulingStrategy(node_id=node, soft=False)
            self.actors[node] = NodeWorker.options(scheduling_strategy=strategy).remote()
            self.load[node] = 0

    def forget(self, node: str) -> None:
        self.actors.pop(node, None)
        self.load.pop(node, None)

    async def episode(self, setup: EpisodeSetup, problem_ref: Any, index: int) -> Placed[Attempt]:
        for _ in range(EPISODE_REDISPATCHES + 1):
            if not self.actors:
                self.refresh()
            if not self.actors:
                raise RuntimeError("no alive Ray node to run episodes on")
            node = min(self.load, key=self.load.__getitem__)
            self.load[node] += 1
            try:
                attempt, ran_on = await self.actors[node].episode.remote(setup, problem_ref, index)
                return Placed(attempt, ran_on)
            except RayActorError:  # its node died: the episode runs again elsewhere
                self.forget(node)
                self.refresh()
            finally:
                if node in self.load:
                    self.load[node] -= 1
        raise RuntimeError(f"episode lost its node {EPISODE_REDISPATCHES + 1} times")


class RaySolver:
    """Episodes on the nodes' workers, spread over a checkpoint's copies."""

    def __init__(self, executor: RayExecutor, setup: EpisodeSetup) -> None:
        self.executor, self.setup = executor, setup
        self.episodes = itertools.count()

    async def __call__(self, problem: Problem, index: int) -> Placed[Attempt]:
        setup = self.setup.for_episode(next(self.episodes))
        return await self.executor.workers.episode(setup, self.executor.ref(problem), index)


class RayScorer:
    """Each judging a 1-CPU task on the cluster."""

    def __init__(self, executor: RayExecutor, sandbox: str, options: JudgeOptions) -> None:
        self.executor, self.sandbox, self.options = executor, sandbox, options

    async def __call__(self, problem: Problem, code: str | None) -> Placed[JudgeResult]:
        result, node = await judge_task.remote(self.executor.ref(problem), code, self.sandbox, self.options)
        return Placed(result, node)


class RayExecutor:
    name = "ray"

    def __init__(self, started_here: bool) -> None:
        self.started_here = started_here
        self.refs: dict[int, tuple[Problem, Any]] = {}
        """By object: a training reward judges cut copies of problems under their own ids."""

    @functools.cached_property
    def workers(self) -> NodeWorkers:
        """Started on the first episode: a training reward only judges, and needs no actors."""
        return NodeWorkers()

    @classmethod
    def connect(cls, address: str | None = None) -> RayExecutor:
        """Join `address` (default $RAY_ADDRESS); with neither, start a Ray for this process."""
        address = address or os.environ.get("RAY_ADDRESS") or None
        if address is None:
            ray.init(include_dashboard=False, log_to_driver=False)
        else:
            ray.init(address=address, log_to_driver=False)
        return cls(started_here=address is None)

    def share(self, problems: Sequence[Problem]) -> None:
        for problem in problems:
            if id(problem) not in self.refs:
                self.refs[id(problem)] = (problem, ray.put(problem))

    def ref(self, problem: Problem) -> Any:
        if id(problem) not in self.refs:
            self.share([problem])
        return self.refs[id(problem)][1]

    def open_model(self, spec: ModelSpec, registry: Registry) -> AbstractAsyncContextManager[Served]:
        """A checkpoint is served by vLLM in Ray actors; endpoints need nothing of the cluster."""
        if spec.kind == "checkpoint":
            return served_on_ray(spec)
        return LocalExecutor().open_model(spec, registry)

    def solver(self, setup: EpisodeSetup, client: Any) -> RaySolver:
        return RaySolver(self, setup)

    def scorer(self, sandbox: str, options: JudgeOptions) -> RayScorer:
        return RayScorer(self, sandbox, options)

    def judge_batch(
        self,
        items: Sequence[tuple[Problem, str | None]],
        backend: SandboxBackend,
        options: JudgeOptions,
        concurrency: int | None = None,
    ) -> list[Placed[JudgeResult]]:
        """One task per item, all in flight at once: the cluster's CPUs bound them, not `concurrency`."""
        tasks = [judge_task.remote(self.ref(problem), code, backend.name, options) for problem, code in items]
        return [Placed(result, node) for result, node in ray.get(tasks)]

    def close(self) -> None:
        ray.shutdown()
