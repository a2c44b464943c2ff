"""The recorder: the one writer of an evaluation's results, and what it reads back to resume.

It keeps a run's record and the environment of each session that adds to it, the weights' identity,
each finished sample and where it ran, and the judge's verdicts: a verdict is reused for the same
program on the same tests, limits and judge; a judging that failed (IE) is retried on resume, at
most JUDGE_ATTEMPTS times in all, and is never charged to the model.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from codefront.harness.executors import Scorer
from codefront.harness.judge.cache import judge_cache_key
from codefront.harness.judge.judge import JudgeOptions
from codefront.harness.judge.program import judge_version
from codefront.harness.results.environment import Environment
from codefront.harness.results.store import Store
from codefront.records import JudgeResult, Outcome, Problem, Sample

JUDGE_ATTEMPTS = 2
"""Times a program whose judging fails (IE) is judged, across resumes, before its IE is final: the
judge's own failure is never charged to the model, and never retried forever either."""
CACHE_NODE = "cache"
"""Where a verdict the store already had was computed, as far as placements tell."""


@dataclass(frozen=True)
class Scored:
    result: JudgeResult
    retry: bool
    """An IE not yet retried enough: the sample is stored as an infra error, judged again on resume."""
    node: str


class Recorder:
    def __init__(self, store: Store, executor: str = "local") -> None:
        self.store, self.executor = store, executor
        self.by_node: Counter[tuple[str, str]] = Counter()
        """How many episodes and judgings each node ran (executors other than local)."""
        self.judge_versions: dict[JudgeOptions, str] = {}
        """The judge's version by options: hashing the runner's sources costs ~0.5 ms a sample."""

    def start(self, identity: dict, environment: Environment) -> str:
        """The run's id (the hash of `identity`), recording this session's environment."""
        return self.store.start_run(identity, environment.to_dict())

    def record_model(self, key: str, name: str, identity: dict) -> None:
        self.store.record_model(key, name, identity)

    def name_weights(self, keys: set[str], name: str) -> None:
        """Name the weights under `keys` (recorded earlier) `name`: one set of weights, several names."""
        for model in self.store.models():
            if model.key in keys:
                self.store.record_model(model.key, name, model.identity)

    def finished(self, run_id: str, model_key: str, mode: str) -> set[tuple[str, int]]:
        """(problem, sample) pairs already done; infra errors are not done."""
        return self.store.finished(run_id, model_key, mode)

    async def score(self, problem: Problem, code: str | None, scorer: Scorer) -> Scored:
        """The verdict on `code`, from the store when it has one, else from `scorer`."""
        if not code:
            placed = await scorer(problem, code)
            return Scored(placed.value, False, placed.node)
        if scorer.options not in self.judge_versions:
            self.judge_versions[scorer.options] = judge_version(scorer.options)
        key = judge_cache_key(problem, code, self.judge_versions[scorer.options])
        cached = self.store.cached_result(key)
        if cached is not None:
            return Scored(cached, False, CACHE_NODE)
        placed = await scorer(problem, code)
        retry = placed.value.outcome == Outcome.INFRA_ERROR and (
            self.store.count_judge_failure(key) < JUDGE_ATTEMPTS
        )
        if not retry:
            self.store.cache_result(key, placed.value)
        return Scored(placed.value, retry, placed.node)

    def add(self, sample: Sample, episode_node: str, judge_node: str | None) -> None:
        self.store.add(sample)
        if self.executor == "local":
            return
        self.store.record_placement(sample, self.executor, episode_node, judge_node)
        self.by_node[("episode", episode_node)] += 1
        if judge_node is not None:
            self.by_node[("judge", judge_node)] += 1
