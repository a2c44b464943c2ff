"""The model registry's layers and errors, register_local_checkpoint, and weight provenance."""

from __future__ import annotations

import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import save_file

from codefront.harness.models import (
    CheckpointMissingError,
    MissingApiKeyError,
    ModelConfigError,
    UnknownModelError,
    checkpoint_identity,
    endpoint_identity,
    load_registry,
    register_local_checkpoint,
    weights_hash,
)
from codefront.harness.models.provenance import Lineage, read_lineage
from codefront.harness.models.registry import inherited_settings


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No user file, an empty CODEFRONT_HOME, and a home directory without ~/.config/codefront."""
    monkeypatch.delenv("CODEFRONT_MODELS", raising=False)
    monkeypatch.setenv("CODEFRONT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def make_checkpoint(path: Path, scale: float = 1.0, template: str = "{{ messages }}") -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "config.json").write_text(json.dumps({"model_type": "llama", "dtype": "bfloat16"}))
    (path / "chat_template.jinja").write_text(template)
    save_file({"w": np.full((4, 4), scale, dtype=np.float32)}, str(path / "model.safetensors"))
    return path


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_shipped_file_has_the_embedded_model_resolved_lazily() -> None:
    registry = load_registry()
    spec = registry.get("smollm2-135m")
    assert spec.kind == "checkpoint" and spec.is_embedded and spec.tool_protocol == "text"
    assert not (Path(os.environ["CODEFRONT_HOME"]) / "models").exists(), "loading must not convert"
    assert registry.get("gpt-4o-mini").api_key_env == "OPENAI_API_KEY"


def test_layers_shipped_then_user_then_managed(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ckpt = make_checkpoint(isolated / "ckpts" / "a")
    user = write(
        isolated / "mine.yaml",
        "models:\n"
        "  smollm2-135m: {temperature: 0.7}\n"
        "  local: {base_url: 'http://127.0.0.1:9/v1/', model: served, tool_protocol: native}\n"
        "  rel: {checkpoint: ckpts/a, max_tokens: 99}\n",
    )
    monkeypatch.setenv("CODEFRONT_MODELS", str(user))
    registry = load_registry()
    smol = registry.get("smollm2-135m")
    assert smol.temperature == 0.7 and smol.is_embedded and smol.max_tokens == 384, (
        "settings-only entry adjusts"
    )
    local = registry.get("local")
    assert (local.kind, local.where, local.model) == ("endpoint", "http://127.0.0.1:9/v1", "served")
    assert registry.get("rel").checkpoint_dir() == ckpt, "relative paths are relative to their file"

    register_local_checkpoint("local", ckpt, {"alpha": 1.5}, settings={"temperature": 0.1})
    registry = load_registry()
    assert registry.files[-1] == isolated / "home" / "registry.yaml"
    replaced = registry.get("local")
    assert (
        replaced.kind == "checkpoint"
        and replaced.temperature == 0.1
        and replaced.provenance == {"alpha": 1.5}
    )


def test_user_file_falls_back_to_cwd_then_config_dir(isolated: Path) -> None:
    write(isolated / "user" / ".config" / "codefront" / "models.yaml", "models:\n  cfg: {litellm: a/b}\n")
    assert "cfg" in load_registry()
    write(isolated / "models.yaml", "models:\n  here: {litellm: a/c}\n")
    registry = load_registry()
    assert "here" in registry and "cfg" not in registry, "only the first user file found is read"


def test_unknown_name_lists_close_names() -> None:
    with pytest.raises(UnknownModelError, match=r"unknown model 'smollm2': did you mean smollm2-135m\?"):
        load_registry().get("smollm2")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("models:\n  a: {litellm: x/y\n", r"invalid YAML at line \d"),
        ("models:\n  a: {litellm: x/y, temprature: 1}\n", r"models\.a: unknown key 'temprature'"),
        ("models:\n  a: {checkpoint: /x, litellm: x/y}\n", r"models\.a: give only one of"),
        ("models:\n  a: {max_tokens: 5}\n", r"models\.a: needs one of checkpoint, base_url, litellm"),
        ("models:\n  a: {base_url: 'http://h/v1'}\n", r"models\.a\.model: `base_url:` entries need"),
        (
            "models:\n  a: {litellm: x/y, temperature: hot}\n",
            r"models\.a\.temperature must be a non-negative",
        ),
        ("models:\n  a: {checkpoint: /x, tool_protocol: native}\n", r"needs tool_call_parser"),
        (
            "models:\n  a: {litellm: x/y, concurrency: 0}\n",
            r"models\.a\.concurrency must be a positive integer",
        ),
        ("- a\n- b\n", r"expected one top-level key `models:`"),
    ],
)
def test_malformed_file_names_file_and_key(isolated: Path, monkeypatch, text: str, message: str) -> None:
    bad = write(isolated / "bad.yaml", text)
    monkeypatch.setenv("CODEFRONT_MODELS", str(bad))
    with pytest.raises(ModelConfigError, match=message) as caught:
        load_registry()
    assert str(caught.value).startswith(str(bad))
    assert "\n" not in str(caught.value)


def test_request_concurrency_is_the_entrys_else_32_for_a_served_checkpoint_else_8(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = write(
        isolated / "mine.yaml",
        "models:\n  api: {litellm: x/y}\n  busy: {litellm: x/y, concurrency: 64}\n",
    )
    monkeypatch.setenv("CODEFRONT_MODELS", str(user))
    registry = load_registry()
    assert [registry.get(n).request_concurrency for n in ("smollm2-135m", "api", "busy")] == [32, 8, 64]


def test_missing_user_file_named_by_variable(isolated: Path, monkeypatch) -> None:
    monkeypatch.setenv("CODEFRONT_MODELS", str(isolated / "nope.yaml"))
    with pytest.raises(
        ModelConfigError, match=r"\$CODEFRONT_MODELS names .*nope\.yaml, which does not exist"
    ):
        load_registry()


def test_missing_api_key_variable(monkeypatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    spec = load_registry().get("gpt-4o-mini")
    with pytest.raises(MissingApiKeyError, match=r"needs \$OPENAI_API_KEY: export OPENAI_API_KEY="):
        spec.api_key()
    monkeypatch.setenv("OPENAI_API_KEY", "sk-x")
    assert spec.api_key() == "sk-x"


def test_missing_checkpoint_dir(isolated: Path, monkeypatch) -> None:
    monkeypatch.setenv(
        "CODEFRONT_MODELS", str(write(isolated / "m.yaml", "models:\n  gone: {checkpoint: /no/such}\n"))
    )
    with pytest.raises(
        CheckpointMissingError, match=r"checkpoint /no/such does not exist; fix `checkpoint:` in"
    ):
        load_registry().get("gone").checkpoint_dir()


def test_register_local_checkpoint_replaces_and_refuses_non_checkpoints(isolated: Path) -> None:
    first, second = make_checkpoint(isolated / "c1"), make_checkpoint(isolated / "c2", scale=2.0)
    register_local_checkpoint("cov1", first, {"run": "t1", "path": Path("/p")})
    register_local_checkpoint("alpha1.5", second, {"alpha": 1.5})
    register_local_checkpoint("cov1", second, {"run": "t2"})
    registry = load_registry()
    assert registry.get("cov1").checkpoint_dir() == second and registry.get("cov1").provenance == {
        "run": "t2"
    }
    assert registry.get("alpha1.5").checkpoint_dir() == second
    with pytest.raises(CheckpointMissingError, match="is not a checkpoint"):
        register_local_checkpoint("x", isolated / "empty", {})
    with pytest.raises(ModelConfigError, match="names use letters"):
        register_local_checkpoint("a b", first, {})


def test_checkpoints_made_from_a_registered_model_are_sampled_as_it_is(isolated: Path) -> None:
    base = load_registry().get("smollm2-135m")
    register_local_checkpoint(
        "cov1", make_checkpoint(isolated / "c1"), {}, settings=inherited_settings(base.name)
    )
    register_local_checkpoint(
        "alpha1.5", make_checkpoint(isolated / "m"), {}, settings=inherited_settings("cov1")
    )
    registry = load_registry()
    for name in ("cov1", "alpha1.5"):
        made = registry.get(name)
        assert made.sampling() == base.sampling() and made.sampling()["max_tokens"] == 384
        assert (made.tool_protocol, made.vllm_args) == (base.tool_protocol, base.vllm_args)
    assert inherited_settings(str(isolated / "c1")) == {}  # a directory has no settings of its own


def test_weights_hash_follows_content_and_is_cached_by_size_and_mtime(isolated: Path) -> None:
    ckpt = make_checkpoint(isolated / "c")
    before = weights_hash(ckpt)
    assert weights_hash(ckpt) == before and len(list((isolated / "home" / "hashes").glob("*.json"))) == 1
    weights = ckpt / "model.safetensors"
    stat = weights.stat()
    save_file({"w": np.full((4, 4), 3.0, dtype=np.float32)}, str(weights))
    assert weights.stat().st_size == stat.st_size
    os.utime(weights, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert weights_hash(ckpt) == before, "same size and mtime: the cached digest is trusted"
    os.utime(weights, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    assert weights_hash(ckpt) != before
    save_file({"v": np.zeros(2, dtype=np.float32)}, str(ckpt / "model-extra.safetensors"))
    assert len({before, weights_hash(ckpt)}) == 2


def test_identity_key_tracks_weights_and_template_not_names(isolated: Path) -> None:
    a = make_checkpoint(isolated / "a")
    make_checkpoint(isolated / "b")
    make_checkpoint(isolated / "c", scale=2.0)
    make_checkpoint(isolated / "d", template="other")
    write(isolated / "models.yaml", "models:\n" + "".join(f"  {n}: {{checkpoint: {n}}}\n" for n in "abcd"))
    registry = load_registry()
    keys = {n: checkpoint_identity(registry.get(n)).key() for n in "abcd"}
    assert keys["a"] == keys["b"], "same weights under two names share completions"
    assert len({keys["a"], keys["c"], keys["d"]}) == 3
    identity = checkpoint_identity(registry.get("a"))
    assert identity.dtype == "bfloat16" and identity.engine and identity.engine.startswith("vllm")
    assert identity.weights_hash == weights_hash(a)


def test_merge_json_gives_alpha_and_parents(isolated: Path) -> None:
    ckpt = make_checkpoint(isolated / "m")
    merge = {"alpha": 1.5, "low": "/l", "high": "/h", "low_hash": "aa", "high_hash": "bb"}
    (ckpt / "merge.json").write_text(json.dumps(merge))
    assert read_lineage(ckpt) == Lineage("merge", ("aa", "bb"), alpha=1.5)
    register_local_checkpoint("alpha1.5", ckpt, merge)
    identity = checkpoint_identity(load_registry().get("alpha1.5"))
    assert identity.lineage == Lineage("merge", ("aa", "bb"), alpha=1.5)
    stored = identity.to_dict()
    assert (stored["lineage"], stored["alpha"], stored["parents"]) == ("merge", 1.5, ("aa", "bb"))
    assert stored["key"] == identity.key()


def test_training_json_gives_level_base_and_steps_and_leaves_the_key_alone(isolated: Path) -> None:
    ckpt = make_checkpoint(isolated / "cov2")
    write(isolated / "models.yaml", "models:\n  cov2: {checkpoint: cov2}\n")
    bare = checkpoint_identity(load_registry().get("cov2"))
    record = {"coverage_level": 2, "levels": 4, "base": "smollm2-135m", "base_hash": "cc", "steps": 10}
    (ckpt / "training.json").write_text(json.dumps({**record, "seconds": 3.5, "preset": "cpu-tiny"}))
    identity = checkpoint_identity(load_registry().get("cov2"))
    assert identity.lineage == Lineage(
        "training", ("cc",), coverage_level=2, levels=4, base="smollm2-135m", steps=10
    )
    assert bare.lineage is None and identity.key() == bare.key(), "lineage describes, the weights identify"
    stored = identity.to_dict()
    assert {k: stored[k] for k in ("lineage", "coverage_level", "levels", "base", "steps", "parents")} == {
        "lineage": "training",
        "coverage_level": 2,
        "levels": 4,
        "base": "smollm2-135m",
        "steps": 10,
        "parents": ("cc",),
    }
    assert stored["alpha"] is None and bare.to_dict()["lineage"] is None
    (ckpt / "training.json").write_text(json.dumps({"coverage_level": "two", "levels": True}))
    assert read_lineage(ckpt) == Lineage("training"), "a malformed record gives no level, not a wrong one"


async def test_endpoint_identity_reads_v1_models(isolated: Path) -> None:
    listing = {
        "data": [{"id": "served", "root": "/ckpt/x", "owned_by": "vllm", "created": 123, "max_model_len": 8}]
    }

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            data = json.dumps(listing).encode() if self.path == "/v1/models" else b"{}"
            self.send_response(200 if self.path == "/v1/models" else 404)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
        write(isolated / "models.yaml", f"models:\n  ep: {{base_url: '{url}', model: served}}\n")
        identity = await endpoint_identity(load_registry().get("ep"))
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert dict(identity.endpoint_meta) == {
        "id": "served",
        "root": "/ckpt/x",
        "owned_by": "vllm",
        "max_model_len": "8",
    }
    assert identity.endpoint == url and identity.served_model == "served"
