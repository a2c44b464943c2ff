"""Weight averaging: theta(alpha) = (1 - alpha) * theta_low + alpha * theta_high.

`low` and `high` are two checkpoints from one initialization (low- and high-coverage training).
alpha in [0, 1] interpolates, outside it extrapolates. The merge streams the inputs' safetensors
shards a chunk at a time, so memory stays flat whatever the model size; the output keeps the low
checkpoint's shard layout, config and tokenizer, and records alpha and both sources' content
hashes in `merge.json` and in every shard's `__metadata__`.
"""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from codefront.training.merge_hashing import hashing_in_background, weights_hash
from codefront.training.merge_inputs import (
    FLOAT_DTYPES,
    INDEX_FILE,
    TOKENIZER_FILES,
    Checkpoint,
    MergeError,
    open_checkpoint,
    pair_tensors,
)
from codefront.training.safetensors_stream import (
    ELEMENT_SIZES,
    SafetensorsWriter,
    TensorEntry,
    rewrite_metadata,
)

__all__ = ["MergeError", "MergePlan", "MergeResult", "merge", "merge_grid", "plan_merge", "weights_hash"]

DTYPE_NAMES = {"float32": "F32", "bfloat16": "BF16", "float16": "F16"}
SIDE_FILES = ("config.json", "generation_config.json", *TOKENIZER_FILES)
RECORD_FILE = "merge.json"
METADATA_KEY = "codefront.merge"
PLACEHOLDER_HASH = "0" * 64
MAX_GRID = 1000


@dataclass(frozen=True)
class MergePlan:
    """Two checked checkpoints, ready to merge at any alpha."""

    low: Checkpoint
    high: Checkpoint
    pairs: dict[str, TensorEntry]  # each low tensor's counterpart in high
    dtype: str | None  # float32, bfloat16, float16; None keeps the inputs'

    def out_dtype(self, entry: TensorEntry) -> str:
        return DTYPE_NAMES[self.dtype] if self.dtype and entry.dtype in FLOAT_DTYPES else entry.dtype


@dataclass(frozen=True)
class MergeResult:
    name: str
    path: Path
    record: dict[str, Any]


def plan_merge(low: Path, high: Path, dtype: str | None = None) -> MergePlan:
    """Open and check both inputs; raises MergeError naming the first mismatch."""
    if dtype is not None and dtype not in DTYPE_NAMES:
        raise MergeError(f"dtype {dtype!r}: choose one of {', '.join(DTYPE_NAMES)}")
    a, b = open_checkpoint(low, "low"), open_checkpoint(high, "high")
    return MergePlan(a, b, pair_tensors(a, b, DTYPE_NAMES.get(dtype or "")), dtype)


def merge(low: Path, high: Path, alpha: float, out: Path, dtype: str | None = None) -> MergeResult:
    """Write theta(alpha) to the directory `out`."""
    _check_free(out)
    return write_merge(plan_merge(low, high, dtype), alpha, out)


def merge_grid(
    low: Path, high: Path, alphas: Sequence[float], out_root: Path, dtype: str | None = None
) -> Iterator[MergeResult]:
    """Write one directory per alpha under `out_root`, named by `alpha_name`, yielding each when done.

    The inputs are checked and hashed once, and every target is checked free before the first write.
    """
    targets = {a: out_root / alpha_name(a) for a in alphas}
    for target in targets.values():
        _check_free(target)
    plan = plan_merge(low, high, dtype)
    hashes = None
    for alpha, target in targets.items():
        result = write_merge(plan, alpha, target, hashes)
        hashes = result.record["low_hash"], result.record["high_hash"]
        yield result


def write_merge(
    plan: MergePlan, alpha: float, out: Path, hashes: tuple[str, str] | None = None
) -> MergeResult:
    """Write theta(alpha) to `out` through a staging directory, so `out` only ever holds a whole merge.

    The inputs' content hashes (`hashes`, when already known) are computed while the weights are
    written; the shard headers carry a placeholder of the same length until they are known.
    """
    if not math.isfinite(alpha):
        raise MergeError(f"alpha {alpha}: must be a finite number")
    _check_free(out)
    staging = out.parent / f".{out.name}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        with _source_hashes(plan, hashes) as wait_for_hashes:
            _write_weights(
                plan, alpha, staging, merge_record(plan, alpha, PLACEHOLDER_HASH, PLACEHOLDER_HASH)
            )
            record = merge_record(plan, alpha, *wait_for_hashes())
        for shard in plan.low.shards:
            rewrite_metadata(staging / shard, _shard_metadata(record))
        _copy_side_files(plan, staging)
        (staging / RECORD_FILE).write_text(json.dumps(record, indent=2) + "\n")
        if out.exists():
            out.rmdir()
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    path = out.resolve()
    return MergeResult(path.name, path, record)


def merge_record(plan: MergePlan, alpha: float, low_hash: str, high_hash: str) -> dict[str, Any]:
    """What merge.json and each shard's metadata say; the model registry reads the lineage from it."""
    return {
        "method": "linear: (1 - alpha) * low + alpha * high, float32 arithmetic",
        "alpha": alpha,
        "dtype": plan.dtype,
        "low": str(plan.low.path.resolve()),
        "high": str(plan.high.path.resolve()),
        "low_hash": low_hash,
        "high_hash": high_hash,
    }


@contextmanager
def _source_hashes(plan: MergePlan, known: tuple[str, str] | None) -> Iterator[Callable[[], Sequence[str]]]:
    if known is not None:
        yield lambda: known
        return
    with hashing_in_background([plan.low.path, plan.high.path]) as wait:
        yield wait


def _shard_metadata(record: dict[str, Any]) -> dict[str, str]:
    return {"format": "pt", METADATA_KEY: json.dumps(record, sort_keys=True)}


def _write_weights(plan: MergePlan, alpha: float, staging: Path, record: dict[str, Any]) -> None:
    from codefront.training.merge_kernel import ChunkMerger  # torch is needed only from here on

    metadata = _shard_metadata(record)
    weight_map: dict[str, str] = {}
    with ChunkMerger(alpha) as merger:
        for shard in plan.low.shards:
            entries = [e for e in plan.low.tensors.values() if e.path.name == shard]
            specs = [(e.name, plan.out_dtype(e), e.shape) for e in entries]
            with SafetensorsWriter(staging / shard, specs, metadata) as writer:
                for entry in entries:
                    merger.tensor(entry, plan.pairs[entry.name], plan.out_dtype(entry), writer.write)
            weight_map.update(dict.fromkeys((e.name for e in entries), shard))
    if plan.low.sharded:
        tensors = plan.low.tensors.values()
        total = sum(e.numel * ELEMENT_SIZES[plan.out_dtype(e)] for e in tensors)
        index = {"metadata": {"total_size": total, "total_parameters": sum(e.numel for e in tensors)}}
        (staging / INDEX_FILE).write_text(json.dumps({**index, "weight_map": weight_map}, indent=2) + "\n")


def _copy_side_files(plan: MergePlan, staging: Path) -> None:
    for name in SIDE_FILES:
        if (plan.low.path / name).is_file():
            shutil.copyfile(plan.low.path / name, staging / name)
    if plan.dtype:
        config = dict(plan.low.config, dtype=plan.dtype)
        if "torch_dtype" in config:
            config["torch_dtype"] = plan.dtype
        (staging / "config.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")


def _check_free(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise MergeError(f"output {out} already exists and is not empty")


def alpha_name(alpha: float) -> str:
    """The directory and model name of a merge: alpha1.5, alpha-0.5, alpha0."""
    text = format(Decimal(repr(float(alpha))).normalize(), "f")
    return f"alpha{'0' if text == '-0' else text}"


def parse_alpha(text: str) -> float:
    try:
        value = float(Decimal(text))
    except (InvalidOperation, ValueError):
        raise MergeError(f"alpha {text!r}: not a number") from None
    if not math.isfinite(value):
        raise MergeError(f"alpha {text!r}: must be a finite number")
    return value


def parse_alpha_grid(spec: str) -> list[float]:
    """`start:stop:step`, stop included when it lands on the grid; exact decimal steps, no float drift."""
    usage = (
        f"alpha grid {spec!r}: expected start:stop:step with step > 0 and start <= stop, e.g. -0.5:2.0:0.25"
    )
    try:
        start, stop, step = (Decimal(part) for part in spec.split(":"))
    except (InvalidOperation, ValueError):
        raise MergeError(usage) from None
    if not all(x.is_finite() for x in (start, stop, step)) or step <= 0 or stop < start:
        raise MergeError(usage)
    count = int((stop - start) / step) + 1
    if count > MAX_GRID:
        raise MergeError(f"alpha grid {spec!r}: {count} values, more than {MAX_GRID}")
    return [float(start + k * step) for k in range(count)]
