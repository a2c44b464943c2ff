"""The two checkpoints of a merge: find their safetensors shards and refuse incompatible pairs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codefront.training.merge_hashing import file_sha256
from codefront.training.safetensors_stream import FileReader, SafetensorsFormatError, TensorEntry, read_header

INDEX_FILE = "model.safetensors.index.json"
SINGLE_FILE = "model.safetensors"
TOKENIZER_FILES = (
    "tokenizer.json", "tokenizer_config.json", "tokenizer.model", "special_tokens_map.json",
    "added_tokens.json", "vocab.json", "merges.txt", "vocab.txt", "chat_template.jinja", "chat_template.json",
)  # fmt: skip
ARCHITECTURE_FIELDS = ("model_type", "architectures")
SHAPE_FIELDS = (
    "vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
    "num_key_value_heads", "head_dim", "tie_word_embeddings", "num_experts", "num_local_experts",
    "n_routed_experts", "moe_intermediate_size", "n_embd", "n_layer", "n_head", "n_inner", "n_positions",
)  # fmt: skip
# With tied embeddings a checkpoint may store the output head, or only the input embedding it shares.
HEAD_NAMES = ("lm_head.weight", "embed_out.weight")
EMBEDDING_SUFFIXES = ("embed_tokens.weight", "wte.weight", "embed_in.weight", "word_embeddings.weight")
COMPARE_BYTES = 1 << 22
FLOAT_DTYPES = ("F16", "BF16", "F32")  # interpolated; tensors of any other dtype must match exactly


class MergeError(ValueError):
    """Inputs that cannot be merged; the message names the first thing wrong."""


@dataclass(frozen=True)
class Checkpoint:
    path: Path
    config: dict[str, Any]
    shards: tuple[str, ...]
    sharded: bool
    tensors: dict[str, TensorEntry]  # shard by shard, in file order


def weight_files(path: Path, role: str = "checkpoint") -> tuple[tuple[str, ...], bool]:
    """The safetensors file names of a checkpoint directory, in layout order, and whether it is sharded."""
    if not path.is_dir():
        raise MergeError(f"{role} checkpoint {path}: no such directory")
    index = path / INDEX_FILE
    if index.is_file():
        weight_map = _read_json(index).get("weight_map")
        if not isinstance(weight_map, dict) or not weight_map:
            raise MergeError(f"{role} checkpoint {index}: no weight_map")
        return tuple(sorted(set(weight_map.values()))), True
    if (path / SINGLE_FILE).is_file():
        return (SINGLE_FILE,), False
    raise MergeError(f"{role} checkpoint {path}: no {SINGLE_FILE} or {INDEX_FILE}")


def open_checkpoint(path: Path, role: str = "checkpoint") -> Checkpoint:
    """Read a checkpoint's config and every shard header; the tensor data stays on disk."""
    shards, sharded = weight_files(path, role)
    if not (path / "config.json").is_file():
        raise MergeError(f"{role} checkpoint {path}: no config.json")
    tensors: dict[str, TensorEntry] = {}
    for shard in shards:
        try:
            _, entries = read_header(path / shard)
        except (OSError, SafetensorsFormatError) as e:
            raise MergeError(f"{role} checkpoint: {e}") from None
        for entry in entries:
            if entry.name in tensors:
                raise MergeError(f"{role} checkpoint {path}: tensor {entry.name} is stored twice")
            tensors[entry.name] = entry
    if sharded:
        weight_map = _read_json(path / INDEX_FILE)["weight_map"]
        stray = next((n for n, e in tensors.items() if weight_map.get(n) != e.path.name), None)
        stray = stray or next((n for n in weight_map if n not in tensors), None)
        if stray is not None:
            raise MergeError(f"{role} checkpoint {path}: {INDEX_FILE} disagrees with the shards on {stray}")
    return Checkpoint(path, _read_json(path / "config.json"), shards, sharded, tensors)


def pair_tensors(low: Checkpoint, high: Checkpoint, out_dtype: str | None) -> dict[str, TensorEntry]:
    """For each tensor of `low`, its counterpart in `high`, once the two are known to be compatible."""
    _check_configs(low.config, high.config)
    _check_tokenizers(low.path, high.path)
    tied = low.config.get("tie_word_embeddings") is not False
    pairs: dict[str, TensorEntry] = {}
    for name in low.tensors:
        other = high.tensors.get(name) or (_tied_embedding(high, name) if tied else None)
        if other is None:
            raise MergeError(f"tensor {name} is in low but not in high")
        pairs[name] = other
    for name in high.tensors:
        if name not in low.tensors and not (tied and _tied_embedding(low, name)):
            raise MergeError(f"tensor {name} is in high but not in low")
    for name, other in pairs.items():
        _check_pair(low.tensors[name], other, out_dtype)
    return pairs


def _check_pair(low: TensorEntry, high: TensorEntry, out_dtype: str | None) -> None:
    if low.shape != high.shape:
        raise MergeError(f"tensor {low.name}: shape {list(low.shape)} (low) vs {list(high.shape)} (high)")
    both_float = low.dtype in FLOAT_DTYPES and high.dtype in FLOAT_DTYPES
    if low.dtype != high.dtype and (out_dtype is None or not both_float):
        raise MergeError(
            f"tensor {low.name}: dtype {low.dtype} (low) vs {high.dtype} (high); choose an output dtype"
        )
    if low.dtype not in FLOAT_DTYPES and not _same_bytes(low, high):
        raise MergeError(f"tensor {low.name}: {low.dtype} values differ and cannot be interpolated")


def _check_configs(low: dict[str, Any], high: dict[str, Any]) -> None:
    a, b = dict(_config_fields(low)), dict(_config_fields(high))
    for key in dict.fromkeys([*a, *b]):
        if a.get(key) != b.get(key):
            raise MergeError(f"config.json {key}: {_show(a, key)} (low) vs {_show(b, key)} (high)")


def _config_fields(config: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key in (*ARCHITECTURE_FIELDS, *SHAPE_FIELDS):
        if key in config:
            yield prefix + key, config[key]
    for key, value in config.items():
        if key.endswith("_config") and isinstance(value, dict):
            yield from _config_fields(value, f"{prefix}{key}.")


def _show(fields: dict[str, Any], key: str) -> str:
    return json.dumps(fields[key]) if key in fields else "absent"


def _check_tokenizers(low: Path, high: Path) -> None:
    for name in TOKENIZER_FILES:
        a, b = low / name, high / name
        if a.is_file() != b.is_file():
            raise MergeError(f"tokenizer file {name} is only in {'low' if a.is_file() else 'high'}")
        if a.is_file() and (da := file_sha256(a)) != (db := file_sha256(b)):
            raise MergeError(f"tokenizer file {name} differs: sha256 {da[:12]} (low) vs {db[:12]} (high)")


def _tied_embedding(checkpoint: Checkpoint, head: str) -> TensorEntry | None:
    if head not in HEAD_NAMES:
        return None
    found = [e for n, e in checkpoint.tensors.items() if n.endswith(EMBEDDING_SUFFIXES)]
    return found[0] if len(found) == 1 else None


def _same_bytes(a: TensorEntry, b: TensorEntry) -> bool:
    with FileReader() as reader:
        for offset in range(0, a.nbytes, COMPARE_BYTES):
            size = min(COMPARE_BYTES, a.nbytes - offset)
            left, right = bytearray(size), bytearray(size)
            reader.read_into(a.path, memoryview(left), a.start + offset)
            reader.read_into(b.path, memoryview(right), b.start + offset)
            if left != right:
                return False
    return True


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise MergeError(f"{path}: {e}") from None
    if not isinstance(data, dict):
        raise MergeError(f"{path}: not a JSON object")
    return data
