"""Harness throughput against a bare asyncio `openai` client on the same vLLM server, same run.

    .venv/bin/python bench/client_throughput.py [--model smollm2-135m] [--requests 32] [--concurrency 8]
                                                [--max-tokens 256]

Both sides send the same reasoning-mode prompts (the built-in suite, cycled) with the same sampling
settings at the same concurrency; the harness side goes through the reasoning mode (prompt, ChatClient
with retries and bounded concurrency, code extraction). Generated tokens per second are compared;
the two sides alternate twice so that drift on a shared machine hits both.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path

from openai import AsyncOpenAI

from codefront.agents import reasoning
from codefront.agents.context import ModeContext
from codefront.agents.prompts import messages_for
from codefront.harness.models import load_registry, open_model
from codefront.harness.problems.builtin import load_builtin
from codefront.sandbox.local import LocalBackend


async def bare(
    base_url: str, model: str, prompts: list[list[dict]], sampling: dict, concurrency: int
) -> float:
    client = AsyncOpenAI(base_url=base_url, api_key="none")
    gate = asyncio.Semaphore(concurrency)

    async def one(messages: list[dict]) -> int:
        async with gate:
            response = await client.chat.completions.create(model=model, messages=messages, **sampling)
            return response.usage.completion_tokens

    start = time.perf_counter()
    tokens = sum(await asyncio.gather(*(one(m) for m in prompts)))
    await client.close()
    return tokens / (time.perf_counter() - start)


async def through_harness(client, problems: list, concurrency: int) -> float:
    ctx = ModeContext(client, LocalBackend())
    gate = asyncio.Semaphore(concurrency)

    async def one(problem) -> int:
        async with gate:
            return (await reasoning.solve(problem, ctx)).completion_tokens

    start = time.perf_counter()
    tokens = sum(await asyncio.gather(*(one(p) for p in problems)))
    return tokens / (time.perf_counter() - start)


async def main(model: str, requests: int, concurrency: int) -> None:
    suite = load_builtin()
    problems = [suite[i % len(suite)] for i in range(requests)]
    spec = load_registry().get(model)
    prompts = [messages_for(p, spec.system_prompt) for p in problems]
    async with open_model(model, max_concurrency=concurrency) as client:
        await through_harness(client, problems[:concurrency], concurrency)  # warm-up
        rates: dict[str, list[float]] = {"bare": [], "harness": []}
        for _ in range(2):
            rates["bare"].append(
                await bare(client.base_url, client.model, prompts, spec.sampling(), concurrency)
            )
            rates["harness"].append(await through_harness(client, problems, concurrency))
    bare_rate, harness_rate = (sum(v) / len(v) for v in (rates["bare"], rates["harness"]))
    print(f"model {model}, {requests} requests x 2 rounds, concurrency {concurrency}")
    print("| client | generated tokens/s (each round) | mean | vs bare |")
    print("|---|---|---|---|")
    for name, rate in (("bare AsyncOpenAI", bare_rate), ("harness reasoning mode", harness_rate)):
        rounds = ", ".join(f"{r:.1f}" for r in rates["bare" if name.startswith("bare") else "harness"])
        print(f"| {name} | {rounds} | {rate:.1f} | {rate / bare_rate:.3f}x |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--requests", type=int, default=32)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--max-tokens", type=int, default=256, help="Both sides; keeps the run short.")
    args = parser.parse_args()
    # A settings-only user entry adjusts the registered model for this process (see README, Models).
    overrides = Path(tempfile.mkdtemp()) / "models.yaml"
    overrides.write_text(f"models:\n  {args.model}:\n    max_tokens: {args.max_tokens}\n")
    os.environ["CODEFRONT_MODELS"] = str(overrides)
    asyncio.run(main(args.model, args.requests, args.concurrency))
