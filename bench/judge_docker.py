"""Docker vs local judging: the same submissions through both backends in one run.

    .venv/bin/python bench/judge_docker.py [--rounds 5] [--write]

Submissions: every solution the built-in suite ships (reference, brute force, wrong). Rounds
alternate which backend goes first; the Docker backend keeps its warm pool across rounds, and its
first (cold) pass is reported apart, as is the fixed cost per submission. Verdicts are compared with
the first Docker pass (a loaded machine can tip a test over its wall-clock limit in either backend).
`--write` puts the figures into the `## Docker vs local judging` section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import time
from pathlib import Path

from codefront.harness.judge.judge import default_concurrency, judge_many
from codefront.harness.problems.builtin import load_builtin, solutions
from codefront.sandbox.docker import DockerBackend
from codefront.sandbox.local import LocalBackend

BENCHMARKS = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"
SECTION = "## Docker vs local judging"
ENGINE_PROCESSES = ("dockerd", "containerd", "containerd-shim", "containerd-shim-runc-v2", "runc")


def engine_cpu_s() -> float:
    """CPU seconds the Docker engine's processes have used so far (what judging in Docker adds)."""
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/comm") as f:
                name = f.read().strip()
            if name not in ENGINE_PROCESSES:
                continue
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # the shims' children are the short-lived `runc` of every exec: count them too
        total += sum(map(int, fields[11:15] if "shim" in name else fields[11:13]))
    return total / os.sysconf("SC_CLK_TCK")


def timed(items, backend) -> tuple[float, list]:
    start = time.perf_counter()
    results = judge_many(items, backend)
    return time.perf_counter() - start, [(r.verdict, r.coverage) for r in results]


def start_up(backend: DockerBackend) -> tuple[float, float]:
    """Seconds to make and start one container, and one `true` round trip in a warm one."""

    async def measure() -> tuple[float, float]:
        start = time.perf_counter()
        fresh = await asyncio.to_thread(backend.pool._create)
        made = time.perf_counter() - start
        backend.pool.remove(fresh)
        sandbox = await backend.open()
        try:
            await sandbox.exec(["true"])  # the first exec of a container warms the engine's paths
            start = time.perf_counter()
            await sandbox.exec(["true"])
            return made, time.perf_counter() - start
        finally:
            await sandbox.close()

    return asyncio.run(measure())


def fixed_cost(backend) -> float:
    """Seconds per submission for the suite's wrong solutions (which fail at once), judged one at a
    time: what a sandbox costs beyond the tests themselves."""
    items = [(p, s["wrong"]) for p in load_builtin() if "wrong" in (s := solutions(p.id))]
    start = time.perf_counter()
    judge_many(items, backend, concurrency=1)
    return (time.perf_counter() - start) / len(items)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="Update BENCHMARKS.md.")
    args = parser.parse_args()
    items = [(p, code) for p in load_builtin() for code in solutions(p.id).values()]
    local, docker = LocalBackend(), DockerBackend()
    load_before = os.getloadavg()[0]
    try:
        create_s, exec_s = start_up(docker)
        cold_s, reference = timed(items, docker)
        local_fixed, docker_fixed = fixed_cost(local), fixed_cost(docker)
        times: dict[str, list[float]] = {"local": [], "docker": []}
        engine, differing = 0.0, 0
        for round_ in range(args.rounds):
            order = [("local", local), ("docker", docker)]
            for name, backend in order if round_ % 2 == 0 else order[::-1]:
                before = engine_cpu_s()
                seconds, verdicts = timed(items, backend)
                if name == "docker":
                    engine += engine_cpu_s() - before
                times[name].append(seconds)
                differing += sum(v != r for v, r in zip(verdicts, reference, strict=True))
    finally:
        docker.shutdown()
    load_after = os.getloadavg()[0]
    local_s, docker_s = statistics.median(times["local"]), statistics.median(times["docker"])
    ratios = sorted(d / loc for d, loc in zip(times["docker"], times["local"], strict=True))
    lines = [
        f"{len(items)} submissions: every reference, brute force and wrong solution of the built-in suite "
        f"({len(load_builtin())} problems), {default_concurrency()} judged at once on {os.cpu_count()} CPUs; "
        f"median of {args.rounds} rounds that alternate which backend goes first; load average "
        f"{load_before:.1f} before, {load_after:.1f} after (the machine is shared).",
        "",
        "| backend | wall s | per submission s | vs local |",
        "|---|---|---|---|",
        f"| local | {local_s:.2f} | {local_s / len(items):.3f} | 1.00x |",
        f"| docker, warm pool | {docker_s:.2f} | {docker_s / len(items):.3f} | {docker_s / local_s:.2f}x |",
        f"| docker, first pass (cold pool) | {cold_s:.2f} | {cold_s / len(items):.3f} "
        f"| {cold_s / local_s:.2f}x |",
        "",
        f"- docker/local ratio per round: {', '.join(f'{r:.2f}' for r in ratios)}",
        f"- fixed cost per submission, judged one at a time (the wrong solutions, which fail at once): "
        f"local {local_fixed * 1000:.0f} ms, docker {docker_fixed * 1000:.0f} ms",
        f"- one container made and started: {create_s:.2f} s; one `true` in a warm one: {exec_s * 1000:.0f} ms",
        f"- Docker engine CPU while judging (dockerd, containerd, shims and their runc): "
        f"{engine / args.rounds / len(items) * 1000:.0f} ms per submission",
        f"- verdicts differing from the first Docker pass, over all rounds and both backends: {differing} "
        f"of {2 * args.rounds * len(items)}",
        f"- engine: Docker {engine_version()}",
    ]
    print("\n".join(lines))
    if args.write:
        write_section(lines)


def engine_version() -> str:
    done = subprocess.run(
        ["docker", "version", "--format", "{{.Server.Version}}"], capture_output=True, text=True
    )
    return done.stdout.strip() or "unknown"


def write_section(lines: list[str]) -> None:
    body = "\n".join(
        [
            SECTION,
            "",
            "Reproduce: `bash scripts/docker-engine.sh && .venv/bin/harness sandbox build && "
            ".venv/bin/python bench/judge_docker.py --write`",
            "",
            *lines,
            "",
        ]
    )
    text = BENCHMARKS.read_text() if BENCHMARKS.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.M | re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: body + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + body
    BENCHMARKS.write_text(text.rstrip("\n") + "\n")


if __name__ == "__main__":
    main()
