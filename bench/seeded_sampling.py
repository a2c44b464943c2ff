"""The cost of a seed per request on the CPU: the main job's reasoning requests, same run, three ways.

    .venv/bin/python bench/seeded_sampling.py [--model smollm2-135m] [--rounds 2]

vLLM on the CPU cannot rewind a seeded request's generator after a chunked prefill (the engine dies),
so the harness now serves CPU checkpoints with whole prefills. Compared, each round sending every
built-in problem's reasoning prompt at once (the model's concurrency, as `harness run` does):

- `before`: the server as it was (chunked prefills), requests without seeds;
- `whole prefills`: today's server, requests without seeds;
- `seeded`: today's server, each request with its sample's seed (what runs send now).

Servers alternate (before, today, before, today...; both request kinds on each visit to today's,
in alternating order) so that drift on a shared machine hits every side. Reported: the medians of
the rounds' wall time and generated tokens per second, and how many completions two seeded rounds
reproduced exactly.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

from codefront.agents import reasoning
from codefront.agents.context import Budgets, ModeContext
from codefront.harness.executors import EpisodeSetup
from codefront.harness.models import load_registry, open_model
from codefront.harness.problems.builtin import load_builtin
from codefront.sandbox.local import LocalBackend

Round = tuple[float, int, list[str]]
"""(seconds, completion tokens, completions) of one round."""


async def one_round(client, problems: list, setup: EpisodeSetup | None) -> Round:
    async def one(problem):
        seed = setup.sample_seed(problem, 0) if setup else None
        return await reasoning.solve(problem, ModeContext(client, LocalBackend(), seed=seed))

    start = time.perf_counter()
    attempts = await asyncio.gather(*(one(p) for p in problems))
    return (
        time.perf_counter() - start,
        sum(a.completion_tokens for a in attempts),
        [a.completion for a in attempts],
    )


def chunked_prefill_file(model: str) -> Path:
    """A user models.yaml that gives the server back its chunked prefills (the last flag wins)."""
    args = [*load_registry().get(model).vllm_args, "--enable-chunked-prefill"]
    path = Path(tempfile.mkdtemp()) / "models.yaml"
    path.write_text(f"models:\n  {model}:\n    vllm_args: {args!r}\n")
    return path


async def visit(model: str, sides: list[tuple[str, EpisodeSetup | None]], results: dict, warm: list) -> None:
    async with open_model(model) as client:
        await one_round(client, warm, None)
        for side, setup in sides:
            results[side].append(await one_round(client, load_builtin(), setup))


async def main(model: str, rounds: int) -> None:
    spec = load_registry().get(model)
    setup = EpisodeSetup("reasoning", spec, None, model, "local", Budgets(), seed=0)
    results: dict[str, list[Round]] = {"before": [], "whole prefills": [], "seeded": []}
    warm = load_builtin()[:4]
    before_file, user_file = chunked_prefill_file(model), os.environ.get("CODEFRONT_MODELS")
    for r in range(rounds):
        os.environ["CODEFRONT_MODELS"] = str(before_file)
        await visit(model, [("before", None)], results, warm)
        if user_file is None:
            os.environ.pop("CODEFRONT_MODELS")
        else:
            os.environ["CODEFRONT_MODELS"] = user_file
        today = [("whole prefills", None), ("seeded", setup)]
        await visit(model, today if r % 2 == 0 else today[::-1], results, warm)
    report(model, rounds, results)


def report(model: str, rounds: int, results: dict[str, list[Round]]) -> None:
    print(f"model {model}, {len(load_builtin())} requests at once, {rounds} rounds per side (alternating)")
    print("| side | wall s (each round) | median s | tokens/s (median) | vs before |")
    print("|---|---|---|---|---|")
    base = statistics.median(t / s for s, t, _ in results["before"])
    for side, rows in results.items():
        rate = statistics.median(t / s for s, t, _ in rows)
        walls = ", ".join(f"{s:.1f}" for s, _, _ in rows)
        median = statistics.median(s for s, _, _ in rows)
        print(f"| {side} | {walls} | {median:.1f} | {rate:.1f} | {rate / base:.3f}x |")
    if rounds > 1:
        first, second = (results["seeded"][i][2] for i in (0, 1))
        same = sum(a == b for a, b in zip(first, second, strict=True))
        print(f"seeded rounds 1 and 2: {same} of {len(first)} completions identical")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    asyncio.run(main(args.model, args.rounds))
