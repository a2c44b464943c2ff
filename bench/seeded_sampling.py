"""The cost of a seed per request: the main job's reasoning requests with and without seeds, same run.

    .venv/bin/python bench/seeded_sampling.py [--model smollm2-135m] [--rounds 3]

Each round sends every built-in problem's reasoning prompt at once (the model's concurrency, as
`harness run` does), once with each sample's seed (as runs now send them) and once without, the two
alternating so that drift on a shared machine hits both. A seeded request makes vLLM sample it with
a generator of its own, outside the batch's sampling. Reported: the medians of the rounds' wall time
and generated tokens per second, and how many completions two seeded rounds reproduced exactly.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from codefront.agents import reasoning
from codefront.agents.context import Budgets, ModeContext
from codefront.harness.executors import EpisodeSetup
from codefront.harness.models import load_registry, open_model
from codefront.harness.problems.builtin import load_builtin
from codefront.sandbox.local import LocalBackend


async def one_round(client, problems: list, setup: EpisodeSetup | None) -> tuple[float, int, list[str]]:
    """(seconds, completion tokens, completions) of every problem at once."""
    base = ModeContext(client, LocalBackend())

    async def one(problem):
        seed = setup.sample_seed(problem, 0) if setup else None
        return await reasoning.solve(problem, ModeContext(base.client, base.sandbox, seed=seed))

    start = time.perf_counter()
    attempts = await asyncio.gather(*(one(p) for p in problems))
    return (
        time.perf_counter() - start,
        sum(a.completion_tokens for a in attempts),
        [a.completion for a in attempts],
    )


async def main(model: str, rounds: int) -> None:
    problems = load_builtin()
    spec = load_registry().get(model)
    setup = EpisodeSetup("reasoning", spec, None, model, "local", Budgets(), seed=0)
    results: dict[str, list[tuple[float, int, list[str]]]] = {"seeded": [], "unseeded": []}
    async with open_model(model) as client:
        await one_round(client, problems[:4], None)  # warm-up
        for r in range(rounds):
            order = ("seeded", "unseeded") if r % 2 == 0 else ("unseeded", "seeded")
            for side in order:
                results[side].append(await one_round(client, problems, setup if side == "seeded" else None))
    print(f"model {model}, {len(problems)} requests at once, {rounds} rounds per side (alternating)")
    print("| requests | wall s (each round) | median s | tokens/s (median) | vs unseeded |")
    print("|---|---|---|---|---|")
    base = statistics.median(t / s for s, t, _ in results["unseeded"])
    for side, rows in results.items():
        rate = statistics.median(t / s for s, t, _ in rows)
        walls = ", ".join(f"{s:.1f}" for s, _, _ in rows)
        print(
            f"| {side} | {walls} | {statistics.median(s for s, _, _ in rows):.1f} | {rate:.1f} | {rate / base:.3f}x |"
        )
    if rounds > 1:
        first, second = results["seeded"][0][2], results["seeded"][1][2]
        same = sum(a == b for a, b in zip(first, second, strict=True))
        print(f"seeded rounds 1 and 2: {same} of {len(first)} completions identical")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.model, args.rounds))
