"""Weight averaging: our streaming merge against mergekit's linear merge and against copying the bytes.

Builds two random bfloat16 Llama-shaped checkpoints (sharded, about 0.5 GB each) once under --work,
warms the page cache, then runs each contender in its own process at alpha 1.5, interleaved, and
reports wall time, CPU time, peak RSS (ru_maxrss of the contender, measured by a small launcher)
and the agreement of every output tensor with mergekit's.

    .venv/bin/python bench/merge_vs_mergekit.py [--work /tmp/codefront-merge-bench] [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import save_file
from transformers import LlamaConfig, LlamaForCausalLM

from codefront.training.merge_hashing import weights_hashes
from codefront.training.merge_inputs import open_checkpoint

ALPHA = 1.5
SHARD_BYTES = 200 * 1024 * 1024
CONFIG = dict(
    vocab_size=32000, hidden_size=1024, intermediate_size=2816, num_hidden_layers=16,
    num_attention_heads=16, num_key_value_heads=8, tie_word_embeddings=False, dtype="bfloat16",
    architectures=["LlamaForCausalLM"],
)  # fmt: skip
# With "known", the inputs' hashes are computed before the clock starts, as for every alpha of a
# grid after the first; merge_s then times the merge alone.
OURS = """import json, sys, time
from pathlib import Path
import codefront.training.merge_kernel
from codefront.training.merge import plan_merge, write_merge
from codefront.training.merge_hashing import weights_hashes
low, high, alpha, out, known = Path(sys.argv[1]), Path(sys.argv[2]), float(sys.argv[3]), Path(sys.argv[4]), sys.argv[5]
hashes = tuple(weights_hashes([low, high])) if known == "known" else None
start = time.perf_counter()
write_merge(plan_merge(low, high), alpha, out, hashes)
print(json.dumps({"merge_s": time.perf_counter() - start}))
"""
COPY = """import os, shutil, sys
os.makedirs(sys.argv[1])
for i, source in enumerate(sys.argv[2:]):
    shutil.copyfile(source, os.path.join(sys.argv[1], f"{i}-{os.path.basename(source)}"))
"""
# Forked from this big process, a child's ru_maxrss starts at our own RSS; a small launcher avoids that.
LAUNCHER = """import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_kb": usage.ru_maxrss,
                  "rc": done.returncode, "stdout": done.stdout.decode()[-2000:],
                  "stderr": done.stderr.decode()[-2000:]}))
"""


@dataclass(frozen=True)
class Run:
    wall_s: float
    cpu_s: float
    max_rss_mb: float
    merge_s: float  # ours: the merge itself, without interpreter and torch startup; others: wall_s


def build_checkpoint(path: Path, seed: int) -> None:
    """Random weights, written shard by shard so building never holds the model in memory."""
    config = LlamaConfig(**CONFIG)
    with torch.device("meta"):
        shapes = {n: t.shape for n, t in LlamaForCausalLM(config).state_dict().items()}
    path.mkdir(parents=True)
    config.save_pretrained(path)
    generator = torch.Generator().manual_seed(seed)
    groups: list[list[str]] = [[]]
    for name, shape in shapes.items():
        if groups[-1] and sum(shapes[n].numel() * 2 for n in groups[-1]) + shape.numel() * 2 > SHARD_BYTES:
            groups.append([])
        groups[-1].append(name)
    weight_map = {}
    for i, group in enumerate(groups, 1):
        shard = f"model-{i:05d}-of-{len(groups):05d}.safetensors"
        tensors = {n: (torch.randn(shapes[n], generator=generator) * 0.02).to(torch.bfloat16) for n in group}
        save_file(tensors, path / shard, metadata={"format": "pt"})
        weight_map |= dict.fromkeys(group, shard)
    total = sum(s.numel() * 2 for s in shapes.values())
    index = {"metadata": {"total_size": total}, "weight_map": weight_map}
    (path / "model.safetensors.index.json").write_text(json.dumps(index, indent=2))


def measure(command: list[str], out: Path) -> Run:
    """Wall time, CPU time and peak RSS of one command, run by the launcher into a fresh `out`."""
    shutil.rmtree(out, ignore_errors=True)
    report = json.loads(
        subprocess.run([sys.executable, "-c", LAUNCHER, *command], capture_output=True).stdout
    )
    if report["rc"]:
        raise RuntimeError(f"{command[0]} failed: {report['stderr']}")
    merge_s = json.loads(report["stdout"])["merge_s"] if report["stdout"].startswith("{") else report["wall"]
    return Run(report["wall"], report["cpu"], report["rss_kb"] / 1024, merge_s)


def mergekit_config(work: Path, low: Path, high: Path) -> Path:
    config = {
        "merge_method": "linear",
        "models": [
            {"model": str(low), "parameters": {"weight": 1 - ALPHA}},
            {"model": str(high), "parameters": {"weight": ALPHA}},
        ],
        "parameters": {"normalize": False},
        "dtype": "float32",
        "out_dtype": "bfloat16",
    }
    path = work / "mergekit.yml"
    path.write_text(json.dumps(config, indent=2))  # JSON is YAML
    return path


def agreement(ours: Path, theirs: Path) -> tuple[float, int, int]:
    """Max abs difference over every tensor, tensors compared, tensors bitwise equal."""
    mine = open_checkpoint(ours).tensors
    other = open_checkpoint(theirs).tensors
    if mine.keys() != other.keys():
        raise RuntimeError(f"tensor names differ: {sorted(mine.keys() ^ other.keys())[:5]}")
    worst, equal = 0.0, 0
    for name, entry in mine.items():
        with safe_open(entry.path, "pt") as a, safe_open(other[name].path, "pt") as b:
            x, y = a.get_tensor(name), b.get_tensor(name)
        equal += torch.equal(x.view(torch.int16), y.view(torch.int16))
        worst = max(worst, (x.float() - y.float()).abs().max().item())
    return worst, len(mine), equal


def median(runs: list[Run]) -> Run:
    wall, cpu, merge_s = (
        statistics.median(getattr(r, f) for r in runs) for f in ("wall_s", "cpu_s", "merge_s")
    )
    return Run(wall, cpu, max(r.max_rss_mb for r in runs), merge_s)


def ensure_inputs(work: Path) -> tuple[Path, Path]:
    low, high = work / "low", work / "high"
    for path, seed in ((low, 1), (high, 2)):
        if not (path / "model.safetensors.index.json").is_file():
            shutil.rmtree(path, ignore_errors=True)
            build_checkpoint(path, seed)
    return low, high


def commands(work: Path, low: Path, high: Path) -> dict[str, tuple[list[str], Path]]:
    shards = [str(p) for d in (low, high) for p in sorted(d.glob("*.safetensors"))]
    mergekit = [str(Path(sys.executable).with_name("mergekit-yaml")), str(mergekit_config(work, low, high))]
    options = ["--lazy-unpickle", "--no-cuda", "--quiet", "--no-write-model-card"]
    ours = [sys.executable, "-c", OURS, str(low), str(high), str(ALPHA), str(work / "ours")]
    return {
        "copy inputs (shutil.copyfile)": (
            [sys.executable, "-c", COPY, str(work / "copy"), *shards],
            work / "copy",
        ),
        "ours": ([*ours, "hash"], work / "ours"),
        "ours, inputs' hashes known (grid after its first alpha)": ([*ours, "known"], work / "ours"),
        "mergekit linear": ([*mergekit, str(work / "mergekit"), *options], work / "mergekit"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/codefront-merge-bench"))
    parser.add_argument("--repeats", type=int, default=5, help="runs of copy and ours (mergekit: 2)")
    args = parser.parse_args()
    low, high = ensure_inputs(args.work)
    weights_hashes([low, high])  # warms the page cache for every contender
    runs: dict[str, list[Run]] = {}
    todo = commands(args.work, low, high)
    for round in range(args.repeats):  # interleaved, so a change in the machine's load hits all alike
        for label, (command, out) in todo.items():
            if label != "mergekit linear" or round < 2:
                runs.setdefault(label, []).append(measure(command, out))
    worst, compared, equal = agreement(args.work / "ours", args.work / "mergekit")
    shutil.rmtree(args.work / "copy", ignore_errors=True)
    report(low, {label: median(r) for label, r in runs.items()}, (worst, compared, equal), args.repeats)


def report(low: Path, results: dict[str, Run], agreed: tuple[float, int, int], repeats: int) -> None:
    shards = [p for d in (low, low.with_name("high")) for p in d.glob("*.safetensors")]
    gb = sum(p.stat().st_size for p in shards) / 1e9
    largest = max(e.nbytes for e in open_checkpoint(low).tensors.values()) / 2**20
    copy, ours, known, theirs = results.values()
    print(
        f"inputs: 2 x {gb / 2:.2f} GB bfloat16, {len(shards)} shards; largest tensor {largest:.1f} MiB; alpha {ALPHA}"
    )
    print(f"medians of {repeats} runs (mergekit: 2); GB/s = bytes of both inputs / seconds")
    print("| contender | process wall s | CPU s | peak RSS MiB | merge s (no startup) | GB/s |")
    print("|---|---|---|---|---|---|")
    for label, run in results.items():
        print(f"| {label} | {run.wall_s:.2f} | {run.cpu_s:.2f} | {run.max_rss_mb:.0f} | {run.merge_s:.2f} "
              f"| {gb / run.merge_s:.2f} |")  # fmt: skip
    print(f"speed-up over mergekit (process wall): {theirs.wall_s / ours.wall_s:.1f}x (target >= 2)")
    print(f"peak RSS {ours.max_rss_mb:.0f} MiB; limit 3 x largest + 300 = {3 * largest + 300:.0f} MiB")
    print(f"throughput vs copy: {copy.wall_s / ours.merge_s:.2f} with hashing, {copy.wall_s / known.merge_s:.2f} "
          "with the hashes known (target >= 0.5)")  # fmt: skip
    worst, compared, equal = agreed
    print(f"agreement with mergekit: max abs diff {worst:g}; {equal}/{compared} tensors bitwise equal")


if __name__ == "__main__":
    main()
