"""The seams an executor implements and the records it ships: a Solver (a mode's episode), a
Scorer (the judge), the Executor itself, and each result with the node that made it."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace
from typing import Any, Generic, Protocol, TypeVar

from codefront.agents.context import Budgets
from codefront.harness.judge.judge import JudgeOptions
from codefront.harness.models.registry import Registry
from codefront.harness.models.spec import ModelSpec
from codefront.records import Attempt, JudgeResult, Problem
from codefront.sandbox.base import SandboxBackend

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
    seed: int = 0
    """The run's sampling seed; each sample's requests carry `sample_seed`."""
    replicas: tuple[str, ...] = ()
    """The base URLs of a checkpoint's data-parallel copies (`replicas:` in models.yaml) when more
    than one serves it; episodes go to them in turn, each whole episode to one copy."""

    def for_episode(self, number: int) -> EpisodeSetup:
        if len(self.replicas) < 2:
            return self
        return replace(self, base_url=self.replicas[number % len(self.replicas)])

    def sample_seed(self, problem: Problem, index: int) -> int:
        """The seed of one sample's requests: the same sample of the same run always samples alike,
        and the samples of one problem differ."""
        digest = hashlib.sha256(f"{self.seed}:{problem.id}:{index}".encode()).digest()
        return int.from_bytes(digest[:4], "big") >> 1


@dataclass(frozen=True)
class Served:
    """A model opened for a sweep: the driver's client (identity, served name) and, for a checkpoint
    served in copies, every copy's base URL."""

    client: Any
    replicas: tuple[str, ...] = ()


class Solver(Protocol):
    """Answers a problem: one sample of a mode's episode, or an answer made elsewhere, replayed."""

    async def __call__(self, problem: Problem, index: int) -> Placed[Attempt]: ...


class Scorer(Protocol):
    """The judge, wherever it runs."""

    options: JudgeOptions

    async def __call__(self, problem: Problem, code: str | None) -> Placed[JudgeResult]: ...


class Executor(Protocol):
    name: str

    def share(self, problems: Sequence[Problem]) -> None:
        """Make the problems available to workers once, before any work names them."""

    def open_model(self, spec: ModelSpec, registry: Registry) -> AbstractAsyncContextManager[Served]:
        """The model for the sweep's duration: a local checkpoint is served where the executor runs work."""

    def solver(self, setup: EpisodeSetup, client: Any) -> Solver:
        """`client` is the driver's open ChatClient; an executor running episodes elsewhere ignores it."""

    def scorer(self, sandbox: str, options: JudgeOptions) -> Scorer:
        """The judge on the named sandbox backend, with these options."""

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
