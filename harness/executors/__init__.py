"""Where a run's or a training reward's work runs: in this process (`local`, the default) or on a
Ray cluster (`ray`), behind the evaluation's two seams: a Solver (a mode's episode) and a Scorer
(the judge).

An executor decides where a model is served, an episode runs or a submission is judged, never what
it computes: the same sample judged through Ray equals the local one. Both hand back each result
with the node that made it, so the recorder (the store's single writer) can record where work ran.
`local` never imports Ray."""

from __future__ import annotations

from codefront.harness.executors.base import EpisodeSetup, Executor, Placed, Scorer, Served, Solver

EXECUTORS = ("local", "ray")


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


__all__ = ["EXECUTORS", "EpisodeSetup", "Executor", "Placed", "Scorer", "Served", "Solver", "check_executor",
           "open_executor"]  # fmt: skip
