"""ModelSpec: one registry entry, parsed and checked from a models.yaml mapping."""

from __future__ import annotations

import os
from collections.abc import Collection
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal

from codefront.harness.models.errors import CheckpointMissingError, MissingApiKeyError, ModelConfigError

Kind = Literal["checkpoint", "endpoint", "litellm"]
ToolProtocol = Literal["native", "text"]

EMBEDDED_PREFIX = "embedded:"
"""`checkpoint: embedded:smollm2-135m` names a model the harness converts itself on first use."""

DTYPES = ("auto", "float32", "bfloat16", "float16")
NATIVE_BF16_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})
"""CPU flags (as /proc/cpuinfo spells them) of native bf16 arithmetic. Without one, bf16 matmuls are
emulated: 4.4x slower than float32 per linear layer on an AVX2 EPYC, half the tokens/s served."""

KIND_KEYS = ("checkpoint", "base_url", "litellm")
SETTING_KEYS = (
    "temperature",
    "top_p",
    "max_tokens",
    "system_prompt",
    "stop",
    "tool_protocol",
    "tool_call_parser",
    "vllm_args",
    "dtype",
    "replicas",
    "concurrency",
)
ALLOWED_KEYS = frozenset((*KIND_KEYS, *SETTING_KEYS, "model", "api_key_env", "provenance", "description"))


@dataclass(frozen=True)
class ModelSpec:
    name: str
    kind: Kind
    where: str
    """The checkpoint directory (or `embedded:NAME`), the endpoint URL, or the litellm `provider/model`."""
    model: str | None = None
    """The model id to send: the served name for endpoints; None for checkpoints (the server uses `name`)."""
    api_key_env: str | None = None
    temperature: float = 0.0
    top_p: float = 1.0
    max_tokens: int = 2048
    system_prompt: str | None = None
    stop: tuple[str, ...] = ()
    tool_protocol: ToolProtocol = "text"
    tool_call_parser: str | None = None
    """vLLM's --tool-call-parser for native tool calls on a served checkpoint (e.g. hermes, llama3_json)."""
    vllm_args: tuple[str, ...] = ()
    dtype: str | None = None
    """The serving dtype of a checkpoint; None: chosen from the CPU (cpu_dtype) on a CPU server, vLLM's
    own on a GPU. `--dtype` in vllm_args wins over both."""
    concurrency: int | None = None
    """Requests in flight per (model, mode) unless --concurrency says; None: `request_concurrency`."""
    replicas: int = 1
    """Data-parallel copies of a checkpoint's server under `--executor ray` (one per GPU group)."""
    source: str = ""
    """The models.yaml file that defined this entry, for error messages."""
    description: str = ""
    provenance: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def request_concurrency(self) -> int:
        """A checkpoint the harness serves batches requests: 32 in flight kept the embedded model's
        CPU server a fifth faster than 8 (BENCHMARKS.md). Endpoints default to 8, polite to shared APIs."""
        if self.concurrency is not None:
            return self.concurrency
        return 32 if self.kind == "checkpoint" else 8

    @property
    def is_embedded(self) -> bool:
        return self.kind == "checkpoint" and self.where.startswith(EMBEDDED_PREFIX)

    def checkpoint_dir(self) -> Path:
        """The local checkpoint, converting the embedded model first if needed."""
        if self.kind != "checkpoint":
            raise ValueError(f"model {self.name!r} is a {self.kind} model, not a local checkpoint")
        if self.is_embedded:
            from codefront.harness.models.embedded import ensure_embedded

            return ensure_embedded(self.where.removeprefix(EMBEDDED_PREFIX))
        path = Path(self.where)
        if not (path / "config.json").is_file():
            what = "has no config.json" if path.is_dir() else "does not exist"
            raise CheckpointMissingError(
                f"model {self.name!r}: checkpoint {path} {what}; fix `checkpoint:` in {self.source}"
            )
        return path

    def serving_dtype(self, gpu: bool, cpu_flags: Collection[str]) -> str | None:
        """The `--dtype` to start vLLM with, or None to pass none (vllm_args has one, or vLLM decides)."""
        if any(arg == "--dtype" or arg.startswith("--dtype=") for arg in self.vllm_args):
            return None
        chosen = self.dtype or (None if gpu else cpu_dtype(cpu_flags))
        return None if chosen in (None, "auto") else chosen

    def api_key(self) -> str | None:
        """The key from the environment variable the entry names (keys are never stored in files)."""
        if self.api_key_env is None:
            return None
        key = os.environ.get(self.api_key_env)
        if not key:
            raise MissingApiKeyError(
                f"model {self.name!r} needs ${self.api_key_env}: export {self.api_key_env}=... ({self.source})"
            )
        return key

    def settings(self) -> dict[str, Any]:
        """The entry's settings that differ from the defaults, as models.yaml spells them."""
        defaults = {f.name: f.default for f in fields(ModelSpec) if f.name in SETTING_KEYS}
        return {
            key: list(value) if isinstance(value, tuple) else value
            for key in SETTING_KEYS
            if (value := getattr(self, key)) != defaults[key]
        }

    def sampling(self) -> dict[str, Any]:
        """Request parameters for the chat endpoint."""
        params: dict[str, Any] = {
            "temperature": self.temperature,
            "top_p": self.top_p,
            "max_tokens": self.max_tokens,
        }
        if self.stop:
            params["stop"] = list(self.stop)
        return params


def cpu_dtype(cpu_flags: Collection[str]) -> str:
    """bfloat16 where the CPU computes it natively (AVX-512-BF16, AMX), else float32."""
    return "bfloat16" if NATIVE_BF16_FLAGS & set(cpu_flags) else "float32"


def read_cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> frozenset[str]:
    """The first processor's feature flags (x86 `flags`, Arm `Features`); empty where unreadable."""
    try:
        text = cpuinfo.read_text()
    except OSError:
        return frozenset()
    for line in text.splitlines():
        label, _, value = line.partition(":")
        if label.strip() in ("flags", "Features"):
            return frozenset(value.split())
    return frozenset()


def parse_entry(
    name: str, raw: Any, source: str, base: ModelSpec | None, relative_to: Path | None
) -> ModelSpec:
    """Build a spec from one `models:` entry. An entry without a kind key updates `base`'s settings."""
    where = f"{source}: models.{name}"
    if not isinstance(raw, dict):
        raise ModelConfigError(f"{where} must be a mapping, got {type(raw).__name__}")
    unknown = sorted(set(raw) - ALLOWED_KEYS)
    if unknown:
        raise ModelConfigError(
            f"{where}: unknown key {unknown[0]!r} (allowed: {', '.join(sorted(ALLOWED_KEYS))})"
        )
    kinds = [k for k in KIND_KEYS if k in raw]
    if len(kinds) > 1:
        raise ModelConfigError(f"{where}: give only one of {', '.join(KIND_KEYS)}, not {' and '.join(kinds)}")
    if not kinds and base is None:
        raise ModelConfigError(f"{where}: needs one of {', '.join(KIND_KEYS)}")
    fields: dict[str, Any] = {"name": name, "source": source}
    if kinds:
        fields.update(_kind_fields(kinds[0], raw, where, relative_to))
    for key in (*SETTING_KEYS, "api_key_env", "provenance", "description"):
        if key in raw:
            fields[key] = _setting(key, raw[key], where)
    spec = ModelSpec(**fields) if base is None or kinds else replace(base, **fields)
    if spec.kind != "checkpoint" and (
        spec.vllm_args or spec.tool_call_parser or spec.dtype or spec.replicas > 1
    ):
        raise ModelConfigError(
            f"{where}: vllm_args, tool_call_parser, dtype and replicas apply only to `checkpoint:` models"
        )
    if spec.kind == "checkpoint" and spec.tool_protocol == "native" and not spec.tool_call_parser:
        raise ModelConfigError(
            f"{where}: tool_protocol native on a checkpoint needs tool_call_parser (e.g. hermes)"
        )
    return spec


def _kind_fields(kind: str, raw: dict, where: str, relative_to: Path | None) -> dict[str, Any]:
    value = raw[kind]
    if not isinstance(value, str) or not value:
        raise ModelConfigError(f"{where}.{kind} must be a non-empty string")
    if kind == "checkpoint":
        if "model" in raw:
            raise ModelConfigError(
                f"{where}.model: not used with `checkpoint:` (the served name is the entry name)"
            )
        return {"kind": "checkpoint", "where": _checkpoint_path(value, relative_to)}
    if kind == "base_url":
        model = raw.get("model")
        if not isinstance(model, str) or not model:
            raise ModelConfigError(f"{where}.model: `base_url:` entries need the served model id as `model:`")
        return {"kind": "endpoint", "where": value.rstrip("/"), "model": model}
    if "/" not in value:
        raise ModelConfigError(f"{where}.litellm: expected 'provider/model', got {value!r}")
    if "model" in raw:
        raise ModelConfigError(f"{where}.model: not used with `litellm:` (it names the model)")
    return {"kind": "litellm", "where": value, "model": value}


def _checkpoint_path(value: str, relative_to: Path | None) -> str:
    if value.startswith(EMBEDDED_PREFIX):
        return value
    path = Path(os.path.expandvars(value)).expanduser()
    if not path.is_absolute() and relative_to is not None:
        path = relative_to / path
    return str(path)


def _setting(key: str, value: Any, where: str) -> Any:
    def bad(expected: str) -> ModelConfigError:
        return ModelConfigError(f"{where}.{key} must be {expected}, got {value!r}")

    if key in ("temperature", "top_p"):
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise bad("a non-negative number")
        return float(value)
    if key in ("max_tokens", "replicas", "concurrency"):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise bad("a positive integer")
        return value
    if key in ("stop", "vllm_args"):
        items = [value] if isinstance(value, str) and key == "stop" else value
        if not isinstance(items, list) or not all(isinstance(s, str) for s in items):
            raise bad("a list of strings")
        return tuple(items)
    if key == "dtype":
        if value not in DTYPES:
            raise bad(" or ".join(repr(d) for d in DTYPES))
        return value
    if key == "tool_protocol":
        if value not in ("native", "text"):
            raise bad("'native' or 'text'")
        return value
    if key == "provenance":
        if not isinstance(value, dict):
            raise bad("a mapping")
        return value
    if value is not None and not isinstance(value, str):
        raise bad("a string")
    return value
