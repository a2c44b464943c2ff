"""Where a sweep's or a training reward's work runs: in this process (`local`, the default) or on a
Ray cluster (`ray`).

An executor decides where a model is served, an episode runs or a submission is judged, never what
it computes: the same sample judged through Ray equals the local one. Both hand back each result
with the node that made it, so the driver (the store's single writer) can record where work ran.
`local` never imports Ray."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace
from typing import Any, Generic, Protocol, TypeVar

from codefront.agents.context import Budgets
from codefront.harness.judge.judge import JudgeOptions
from codefront.harness.judge.records import JudgeResult
from codefront.harness.models.registry import Registry
from codefront.harness.models.spec import ModelSpec
from codefront.harness.problems import Problem
from codefront.harness.records import Attempt
from codefront.sandbox.base import SandboxBackend

EXECUTORS = ("local", "ray")
T = TypeVar("T")


@dataclass(frozen=True)
class Placed(Generic[T]):
    """A result and the node it was computed on ('local' for the local executor)."""

    value: T
    node: str


@dataclass(frozen=True)
class EpisodeSetup:
    """Everything an episode needs besides its problem, small enough to ship to a worker node."""

    mode: str
    spec: ModelSpec
    base_url: str | None
    served_model: str
    sandbox: str
    budgets: Budgets
    replicas: tuple[str, ...] = ()
    """The base URLs of a checkpoint's data-parallel copies (`replicas:` in models.yaml) when more
    than one serves it; episodes go to them in turn, each whole episode to one copy."""

    def for_episode(self, number: int) -> EpisodeSetup:
        if len(self.replicas) < 2:
            return self
        return replace(self, base_url=self.replicas[number % len(self.replicas)])


@dataclass(frozen=True)
class Served:
    """A model opened for a sweep: the driver's client (identity, served name) and, for a checkpoint
    served in copies, every copy's base URL."""

    client: Any
    replicas: tuple[str, ...] = ()


class PairWork(Protocol):
    """One (model, mode)'s episodes and judging, wherever they run."""

    options: JudgeOptions

    async def attempt(self, problem: Problem) -> Placed[Attempt]: ...

    async def judge(self, problem: Problem, code: str | None) -> Placed[JudgeResult]: ...


class Executor(Protocol):
    name: str

    def share(self, problems: Sequence[Problem]) -> None:
        """Make the problems available to workers once, before any work names them."""

    def open_model(self, spec: ModelSpec, registry: Registry) -> AbstractAsyncContextManager[Served]:
        """The model for the sweep's duration: a local checkpoint is served where the executor runs work."""

    def pair_work(self, setup: EpisodeSetup, client: Any, options: JudgeOptions) -> PairWork:
        """`client` is the driver's open ChatClient; an executor running episodes elsewhere ignores it."""

    def judge_batch(
        self,
        items: Sequence[tuple[Problem, str | None]],
        backend: SandboxBackend,
        options: JudgeOptions,
        concurrency: int | None = None,
    ) -> list[Placed[JudgeResult]]:
        """Judge a batch and wait for it (the training reward's call), in the items' order. Call
        `share` first with the problems the items name; `concurrency` bounds a local batch only."""

    def close(self) -> None: ...


def check_executor(name: str) -> str:
    if name not in EXECUTORS:
        raise ValueError(f"--executor: unknown executor {name!r}: choose one of {', '.join(EXECUTORS)}")
    return name


def open_executor(name: str, ray_address: str | None = None) -> Executor:
    """`ray_address`: a cluster to join (default $RAY_ADDRESS, else a Ray started for this process)."""
    if check_executor(name) == "local":
        from codefront.harness.executors.local import LocalExecutor

        return LocalExecutor()
    from codefront.harness.executors.ray_executor import RayExecutor

    return RayExecutor.connect(ray_address)
