"""Weight averaging on tiny random Llama checkpoints built here: values, exact endpoints, layouts, refusals."""

from __future__ import annotations

import json
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file, save_file
from tokenizers import Tokenizer, models, pre_tokenizers
from transformers import (
    AutoModelForCausalLM,
    AutoTokenizer,
    LlamaConfig,
    LlamaForCausalLM,
    PreTrainedTokenizerFast,
)
from typer.testing import CliRunner

from codefront.harness.cli import app
from codefront.harness.models.provenance import weights_hash as registry_weights_hash
from codefront.harness.models.registry import load_registry
from codefront.training import merge_kernel
from codefront.training.merge import (
    METADATA_KEY,
    MergeError,
    alpha_name,
    merge,
    merge_grid,
    parse_alpha,
    parse_alpha_grid,
    weights_hash,
)

VOCAB = 256
UP = "model.layers.0.mlp.up_proj.weight"
EMBED = "model.embed_tokens.weight"


def tiny_tokenizer(extra: int = 0) -> PreTrainedTokenizerFast:
    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2, **{f"w{i}": i for i in range(3, VOCAB + extra)}}
    backend = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend, unk_token="<unk>", bos_token="<s>", eos_token="</s>"
    )
    tokenizer.chat_template = "{% for m in messages %}{{ m['content'] }} {% endfor %}"
    return tokenizer


def save_model(
    path: Path, seed: int, dtype: torch.dtype = torch.float32, shard: str = "5GB", **config
) -> Path:
    """A 2-layer Llama whose every tensor (norms included) is random for this seed."""
    torch.manual_seed(seed)
    settings = dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4)
    settings |= dict(num_key_value_heads=2, vocab_size=VOCAB, bos_token_id=1, eos_token_id=2)
    model = LlamaForCausalLM(LlamaConfig(**(settings | config)))
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.add_(torch.randn_like(parameter) * 0.02)
    model.to(dtype).save_pretrained(path, max_shard_size=shard)
    tiny_tokenizer().save_pretrained(path)
    return path


def tensors(path: Path) -> dict[str, torch.Tensor]:
    found: dict[str, torch.Tensor] = {}
    for file in sorted(path.glob("*.safetensors")):
        found |= load_file(file)
    return found


def header(file: Path) -> dict:
    with open(file, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        return json.loads(f.read(length))


def shard_of(path: Path, name: str) -> Path:
    index = path / "model.safetensors.index.json"
    return path / (
        json.loads(index.read_text())["weight_map"][name] if index.exists() else "model.safetensors"
    )


def rewrite_shard(path: Path, name: str, change) -> None:
    """Apply `change` to the dict of tensors in the shard holding `name` and save it back."""
    file = shard_of(path, name)
    content = load_file(file)
    change(content)
    save_file(content, file, metadata={"format": "pt"})


def formula(low: torch.Tensor, high: torch.Tensor, alpha: float) -> torch.Tensor:
    """(1 - alpha) * low + alpha * high in float32, computed by numpy, cast back to the inputs' dtype."""
    a, b = low.float().numpy(), high.float().numpy()
    merged = np.float32(1 - alpha) * a + np.float32(alpha) * b
    return torch.from_numpy(merged).to(low.dtype)


def bits(t: torch.Tensor) -> torch.Tensor:
    return t.view({1: torch.uint8, 2: torch.int16, 4: torch.int32, 8: torch.int64}[t.element_size()])


def same_bits(a: torch.Tensor, b: torch.Tensor) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and torch.equal(bits(a), bits(b))


@pytest.fixture(scope="module")
def pair(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("f32")
    return save_model(root / "low", 1), save_model(root / "high", 2)


@pytest.fixture(scope="module")
def bf16_pair(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("bf16")
    return save_model(root / "low", 1, torch.bfloat16), save_model(root / "high", 2, torch.bfloat16)


def copy_pair(pair: tuple[Path, Path], root: Path) -> tuple[Path, Path]:
    return shutil.copytree(pair[0], root / "low"), shutil.copytree(pair[1], root / "high")


# Values


def test_endpoints_copy_the_inputs_bit_for_bit(bf16_pair, tmp_path):
    low, high = copy_pair(bf16_pair, tmp_path)
    # Values the formula would not carry through: 0*inf and 0*nan are nan, -0 + 0 is +0.
    specials_low = torch.tensor([-0.0, float("nan"), 1.0], dtype=torch.bfloat16)
    specials_high = torch.tensor([float("inf"), -0.0, float("-inf")], dtype=torch.bfloat16)
    rewrite_shard(low, UP, lambda c: c[UP][0, :3].copy_(specials_low))
    rewrite_shard(high, UP, lambda c: c[UP][0, :3].copy_(specials_high))
    for alpha, source in ((0.0, low), (1.0, high)):
        out = merge(low, high, alpha, tmp_path / alpha_name(alpha)).path
        merged, expected = tensors(out), tensors(source)
        assert merged.keys() == expected.keys()
        assert all(same_bits(merged[k], expected[k]) for k in expected)


@pytest.mark.parametrize("fixture", ["pair", "bf16_pair"])
def test_midpoint_is_the_float32_average(fixture, request, tmp_path):
    low, high = request.getfixturevalue(fixture)
    merged = tensors(merge(low, high, 0.5, tmp_path / "mid").path)
    a, b = tensors(low), tensors(high)
    for name, value in merged.items():
        average = ((a[name].float() + b[name].float()) / 2).to(a[name].dtype)
        assert same_bits(value, average), name


@pytest.mark.parametrize("alpha", [1.5, -0.5, 0.3])
@pytest.mark.parametrize("fixture", ["pair", "bf16_pair"])
def test_values_follow_the_float32_formula(fixture, alpha, request, tmp_path):
    low, high = request.getfixturevalue(fixture)
    merged = tensors(merge(low, high, alpha, tmp_path / "out").path)
    a, b = tensors(low), tensors(high)
    assert merged.keys() == a.keys()
    for name, value in merged.items():
        assert same_bits(value, formula(a[name], b[name], alpha)), name


def test_extrapolation_at_one_and_a_half_by_hand(pair, tmp_path):
    low, high = pair
    merged = tensors(merge(low, high, 1.5, tmp_path / "out").path)[UP]
    a, b = tensors(low)[UP], tensors(high)[UP]
    assert torch.equal(merged, b * 1.5 - a * 0.5)
    assert not torch.allclose(merged, b)


@pytest.mark.parametrize(("alpha", "dtype"), [(1.5, None), (0.0, "float16"), (1.25, "float32")])
def test_chunked_streaming_matches_whole_tensors(bf16_pair, tmp_path, monkeypatch, alpha, dtype):
    low, high = bf16_pair
    monkeypatch.setattr(merge_kernel, "CHUNK_ELEMENTS", 7)  # ragged chunks cut through every tensor
    merged = tensors(merge(low, high, alpha, tmp_path / "chunked", dtype).path)
    monkeypatch.undo()
    whole = tensors(merge(low, high, alpha, tmp_path / "whole", dtype).path)
    assert all(same_bits(merged[k], whole[k]) for k in whole)


# Output dtype


def test_bfloat16_inputs_to_float32_keep_the_unrounded_result(bf16_pair, tmp_path):
    low, high = bf16_pair
    out = merge(low, high, 1.5, tmp_path / "out", dtype="float32").path
    merged, a, b = tensors(out), tensors(low), tensors(high)
    for name, value in merged.items():
        assert same_bits(value, formula(a[name].float(), b[name].float(), 1.5)), name
    assert json.loads((out / "config.json").read_text())["dtype"] == "float32"


def test_float32_inputs_to_float16(pair, tmp_path):
    low, high = pair
    merged, a, b = (
        tensors(merge(low, high, -0.5, tmp_path / "out", dtype="float16").path),
        tensors(low),
        tensors(high),
    )
    for name, value in merged.items():
        assert same_bits(value, formula(a[name], b[name], -0.5).to(torch.float16)), name


def test_endpoint_with_another_dtype_is_a_plain_cast(pair, tmp_path):
    low, high = pair
    merged = tensors(merge(low, high, 1.0, tmp_path / "out", dtype="bfloat16").path)
    assert all(same_bits(v, tensors(high)[k].to(torch.bfloat16)) for k, v in merged.items())


def test_differing_dtypes_need_an_output_dtype(pair, bf16_pair, tmp_path):
    with pytest.raises(MergeError, match=r"dtype F32 \(low\) vs BF16 \(high\)"):
        merge(pair[0], bf16_pair[1], 0.5, tmp_path / "out")
    merged = tensors(merge(pair[0], bf16_pair[1], 0.5, tmp_path / "out", dtype="bfloat16").path)
    assert merged[UP].dtype == torch.bfloat16


# Layout


def test_sharded_inputs_give_the_same_shards_and_a_valid_index(tmp_path):
    low = save_model(tmp_path / "low", 1, shard="60KB")
    high = save_model(tmp_path / "high", 2, shard="60KB")
    out = merge(low, high, 1.5, tmp_path / "out", dtype="bfloat16").path
    in_index = json.loads((low / "model.safetensors.index.json").read_text())
    index = json.loads((out / "model.safetensors.index.json").read_text())
    assert len(set(index["weight_map"].values())) > 2
    assert index["weight_map"] == in_index["weight_map"]
    record = json.loads((out / "merge.json").read_text())
    for shard in set(index["weight_map"].values()):
        content = header(out / shard)
        assert json.loads(content.pop("__metadata__")[METADATA_KEY]) == record
        assert set(content) == {n for n, s in index["weight_map"].items() if s == shard}
    merged = tensors(out)
    assert index["metadata"]["total_size"] == sum(t.numel() * 2 for t in merged.values())
    assert sorted(p.name for p in out.glob("*.safetensors")) == sorted(
        p.name for p in low.glob("*.safetensors")
    )
    a, b = tensors(low), tensors(high)
    assert all(same_bits(merged[k], formula(a[k], b[k], 1.5).to(torch.bfloat16)) for k in a)
    AutoModelForCausalLM.from_pretrained(out)


def test_inputs_with_different_shard_layouts_merge(tmp_path):
    low = save_model(tmp_path / "low", 1)
    high = save_model(tmp_path / "high", 2, shard="60KB")
    merged = tensors(merge(low, high, 1.5, tmp_path / "out").path)
    a, b = tensors(low), tensors(high)
    assert all(same_bits(merged[k], formula(a[k], b[k], 1.5)) for k in a)
    assert [p.name for p in (tmp_path / "out").glob("*.safetensors")] == ["model.safetensors"]


def add_head(path: Path) -> None:
    rewrite_shard(path, EMBED, lambda c: c.__setitem__("lm_head.weight", c[EMBED].clone()))


def test_tied_checkpoints_that_store_only_the_embedding(tmp_path):
    low = save_model(tmp_path / "low", 1, tie_word_embeddings=True)
    high = save_model(tmp_path / "high", 2, tie_word_embeddings=True)
    assert "lm_head.weight" not in tensors(low)
    out = merge(low, high, 1.5, tmp_path / "out").path
    merged = tensors(out)
    assert "lm_head.weight" not in merged
    assert same_bits(merged[EMBED], formula(tensors(low)[EMBED], tensors(high)[EMBED], 1.5))
    model = AutoModelForCausalLM.from_pretrained(out)
    assert torch.equal(model.lm_head.weight, merged[EMBED])


@pytest.mark.parametrize("stores_both", ["low", "high", "both"])
def test_tied_checkpoints_that_store_the_head_too(tmp_path, stores_both):
    low = save_model(tmp_path / "low", 1, tie_word_embeddings=True)
    high = save_model(tmp_path / "high", 2, tie_word_embeddings=True)
    for side, path in (("low", low), ("high", high)):
        if stores_both in (side, "both"):
            add_head(path)
    merged = tensors(merge(low, high, 1.5, tmp_path / "out").path)
    expected = formula(tensors(low)[EMBED], tensors(high)[EMBED], 1.5)
    assert same_bits(merged[EMBED], expected)
    assert ("lm_head.weight" in merged) == (stores_both in ("low", "both"))
    if "lm_head.weight" in merged:
        assert same_bits(merged["lm_head.weight"], expected)


def test_untied_checkpoint_missing_its_head_is_refused(pair, tmp_path):
    low, high = copy_pair(pair, tmp_path)
    rewrite_shard(high, "lm_head.weight", lambda c: c.pop("lm_head.weight"))
    with pytest.raises(MergeError, match=r"tensor lm_head.weight is in low but not in high"):
        merge(low, high, 0.5, tmp_path / "out")


# Refusals


def edit_json(path: Path, **changes) -> None:
    path.write_text(json.dumps(json.loads(path.read_text()) | changes))


def test_refuses_another_architecture(pair, tmp_path):
    low, high = copy_pair(pair, tmp_path)
    edit_json(high / "config.json", model_type="mistral", architectures=["MistralForCausalLM"])
    with pytest.raises(MergeError, match=r'config.json model_type: "llama" \(low\) vs "mistral" \(high\)'):
        merge(low, high, 0.5, tmp_path / "out")


def test_refuses_another_shape_in_the_config(pair, tmp_path):
    low = pair[0]
    high = save_model(tmp_path / "high", 2, intermediate_size=96)
    with pytest.raises(MergeError, match=r"config.json intermediate_size: 128 \(low\) vs 96 \(high\)"):
        merge(low, high, 0.5, tmp_path / "out")


def test_refuses_a_tensor_of_another_shape(pair, tmp_path):
    low, high = copy_pair(pair, tmp_path)
    rewrite_shard(high, UP, lambda c: c.__setitem__(UP, c[UP][:127].clone()))
    with pytest.raises(MergeError, match=rf"tensor {UP}: shape \[128, 64\] \(low\) vs \[127, 64\] \(high\)"):
        merge(low, high, 0.5, tmp_path / "out")


def test_refuses_different_tensor_names(pair, tmp_path):
    low, high = copy_pair(pair, tmp_path)
    rewrite_shard(high, UP, lambda c: c.__setitem__("model.layers.0.mlp.extra.weight", c.pop(UP)))
    with pytest.raises(MergeError, match=rf"tensor {UP} is in low but not in high"):
        merge(low, high, 0.5, tmp_path / "out")
    with pytest.raises(MergeError, match=r"tensor model.layers.0.mlp.extra.weight is in low but not in high"):
        merge(high, low, 0.5, tmp_path / "out")


def test_refuses_another_tokenizer(pair, tmp_path):
    low, high = copy_pair(pair, tmp_path)
    tiny_tokenizer(extra=1).save_pretrained(high)
    with pytest.raises(MergeError, match=r"tokenizer file tokenizer.json differs: sha256 \w{12} \(low\) vs"):
        merge(low, high, 0.5, tmp_path / "out")
    (high / "tokenizer.json").unlink()
    with pytest.raises(MergeError, match=r"tokenizer file tokenizer.json is only in low"):
        merge(low, high, 0.5, tmp_path / "out")


def test_refuses_a_missing_directory_and_leaves_nothing_behind(pair, tmp_path):
    with pytest.raises(MergeError, match=r"high checkpoint .*nowhere: no such directory"):
        merge(pair[0], tmp_path / "nowhere", 0.5, tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


def test_a_failure_while_writing_leaves_nothing_behind(pair, tmp_path, monkeypatch):
    def disk_full(*args):
        raise OSError("No space left on device")

    monkeypatch.setattr(merge_kernel.ChunkMerger, "tensor", disk_full)
    with pytest.raises(OSError, match="No space left"):
        merge(*pair, 0.5, tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


def test_refuses_a_non_empty_output(pair, tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine")
    with pytest.raises(MergeError, match=r"already exists and is not empty"):
        merge(*pair, 0.5, tmp_path / "out")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["keep.txt"]


def write_raw_checkpoint(path: Path, content: dict[str, torch.Tensor]) -> Path:
    path.mkdir()
    (path / "config.json").write_text(json.dumps({"model_type": "toy", "architectures": ["Toy"]}))
    save_file(content, path / "model.safetensors", metadata={"format": "pt"})
    return path


def test_integer_tensors_are_copied_when_equal_and_refused_when_not(tmp_path):
    steps = torch.arange(10, dtype=torch.int64)
    low = write_raw_checkpoint(tmp_path / "low", {"w": torch.zeros(4), "steps": steps})
    high = write_raw_checkpoint(tmp_path / "high", {"w": torch.ones(4), "steps": steps})
    merged = tensors(merge(low, high, 1.5, tmp_path / "out").path)
    assert torch.equal(merged["steps"], steps) and torch.equal(merged["w"], torch.full((4,), 1.5))
    other = write_raw_checkpoint(tmp_path / "other", {"w": torch.ones(4), "steps": steps + 1})
    with pytest.raises(MergeError, match=r"tensor steps: I64 values differ and cannot be interpolated"):
        merge(low, other, 0.5, tmp_path / "refused")


# Records


def test_merge_records_alpha_sources_and_their_hashes(pair, tmp_path):
    low, high = pair
    out = merge(low, high, 1.5, tmp_path / "alpha1.5").path
    record = json.loads((out / "merge.json").read_text())
    assert record["alpha"] == 1.5
    assert (record["low"], record["high"]) == (str(low.resolve()), str(high.resolve()))
    assert (record["low_hash"], record["high_hash"]) == (weights_hash(low), weights_hash(high))
    metadata = header(out / "model.safetensors")["__metadata__"]
    assert metadata["format"] == "pt" and json.loads(metadata[METADATA_KEY]) == record
    for name in ("config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json"):
        assert (out / name).read_bytes() == (low / name).read_bytes(), name
    assert (out / "chat_template.jinja").is_file()


def test_weights_hash_agrees_with_the_registry(pair, tmp_path):
    sharded = save_model(tmp_path / "sharded", 3, shard="60KB")
    for path in (pair[0], sharded):
        assert weights_hash(path) == registry_weights_hash(path, cache_dir=tmp_path / "cache")
    assert weights_hash(pair[0]) != weights_hash(pair[1])


def test_merged_model_loads_and_generates(pair, tmp_path):
    out = merge(*pair, 1.5, tmp_path / "out").path
    model = AutoModelForCausalLM.from_pretrained(out)
    tokenizer = AutoTokenizer.from_pretrained(out)
    prompt = tokenizer.apply_chat_template([{"role": "user", "content": "w3 w4 w5"}], tokenize=False)
    inputs = tokenizer(prompt, return_tensors="pt")
    generated = model.generate(**inputs, max_new_tokens=4, min_new_tokens=4, do_sample=False)
    assert generated.shape[1] == inputs["input_ids"].shape[1] + 4


# Grid


def test_alpha_grid_specs():
    assert parse_alpha_grid("-0.5:2.0:0.25") == [-0.5 + 0.25 * k for k in range(11)]
    assert parse_alpha_grid("0:1:0.3") == [0.0, 0.3, 0.6, 0.9]
    assert parse_alpha_grid("1.5:1.5:1") == [1.5]
    for bad in ("0:1", "0:1:0", "1:0:0.5", "a:b:c", "0:nan:0.1", "0:1:-0.5", "0:1000:0.5"):
        with pytest.raises(MergeError, match="alpha grid"):
            parse_alpha_grid(bad)
    assert parse_alpha("1.5") == 1.5
    for bad in ("x", "inf", "nan"):
        with pytest.raises(MergeError, match="alpha"):
            parse_alpha(bad)


def test_alpha_names():
    names = [alpha_name(a) for a in (1.5, -0.5, 0.0, -0.0, 1.0, 2.0, 0.3, 1e-5)]
    assert names == [
        "alpha1.5",
        "alpha-0.5",
        "alpha0",
        "alpha0",
        "alpha1",
        "alpha2",
        "alpha0.3",
        "alpha0.00001",
    ]


def test_grid_writes_one_directory_per_alpha(bf16_pair, tmp_path):
    low, high = bf16_pair
    results = list(merge_grid(low, high, parse_alpha_grid("-0.5:1.5:0.5"), tmp_path / "grid"))
    names = ["alpha-0.5", "alpha0", "alpha0.5", "alpha1", "alpha1.5"]
    assert [r.name for r in results] == names
    assert sorted(p.name for p in (tmp_path / "grid").iterdir()) == sorted(names)
    a, b = tensors(low), tensors(high)
    hashes = weights_hash(low), weights_hash(high)
    for result, alpha in zip(results, (-0.5, 0.0, 0.5, 1.0, 1.5), strict=True):
        record = json.loads((result.path / "merge.json").read_text())
        assert (record["alpha"], record["low_hash"], record["high_hash"]) == (alpha, *hashes)
        merged = tensors(result.path)
        assert all(same_bits(merged[k], formula(a[k], b[k], alpha)) for k in a)


def test_grid_checks_every_target_before_writing(bf16_pair, tmp_path):
    (tmp_path / "grid" / "alpha1").mkdir(parents=True)
    (tmp_path / "grid" / "alpha1" / "x").write_text("taken")
    with pytest.raises(MergeError, match="alpha1 already exists"):
        list(merge_grid(*bf16_pair, [0.5, 1.0], tmp_path / "grid"))
    assert sorted(p.name for p in (tmp_path / "grid").iterdir()) == ["alpha1"]


# Command line


def invoke(home: Path, *args: str):
    return CliRunner().invoke(app, ["merge", *args], env={"CODEFRONT_HOME": str(home)})


def test_cli_single_alpha_writes_the_directory_and_registers_it(bf16_pair, tmp_path):
    low, high = bf16_pair
    result = invoke(
        tmp_path / "home",
        "--low",
        str(low),
        "--high",
        str(high),
        "--alpha",
        "1.5",
        "--out",
        str(tmp_path / "m"),
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "m" / "merge.json").is_file()
    spec = load_registry(home=tmp_path / "home", cwd=tmp_path).get("m")
    assert spec.checkpoint_dir() == (tmp_path / "m").resolve()


def test_cli_grid_registers_each_alpha_by_name(bf16_pair, tmp_path):
    low, high = bf16_pair
    args = (
        "--low",
        str(low),
        "--high",
        str(high),
        "--alphas",
        "-0.5:1.5:1",
        "--alpha",
        "2",
        "--out",
        str(tmp_path / "g"),
    )
    result = invoke(tmp_path / "home", *args, "--dtype", "float32")
    assert result.exit_code == 0, result.output
    registry = load_registry(home=tmp_path / "home", cwd=tmp_path)
    for name in ("alpha2", "alpha-0.5", "alpha0.5", "alpha1.5"):
        assert registry.get(name).checkpoint_dir() == (tmp_path / "g" / name).resolve()
        assert header(tmp_path / "g" / name / "model.safetensors")[UP]["dtype"] == "F32"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--alpha", "0.5", "--high", "{missing}"), "high checkpoint {missing}: no such directory"),
        (("--alphas", "0:1", "--high", "{high}"), "alpha grid '0:1': expected start:stop:step"),
        (("--alpha", "x", "--high", "{high}"), "alpha 'x': not a number"),
        (("--high", "{high}"), "give --alpha X (repeatable) or --alphas start:stop:step"),
        (
            ("--alpha", "0.5", "--high", "{other}"),
            'config.json model_type: "llama" (low) vs "mistral" (high)',
        ),
        (("--alpha", "0.5", "--high", "{high}", "--dtype", "int8"), "dtype 'int8': choose one of"),
    ],
)
def test_cli_errors_are_one_line(bf16_pair, tmp_path, args, message):
    low, high = bf16_pair
    other = shutil.copytree(high, tmp_path / "other")
    edit_json(other / "config.json", model_type="mistral")
    paths = {"missing": str(tmp_path / "missing"), "high": str(high), "other": str(other)}
    args = tuple(a.format(**paths) for a in args)
    result = invoke(tmp_path / "home", "--low", str(low), "--out", str(tmp_path / "out"), *args)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and message.format(**paths) in result.stderr
    assert not (tmp_path / "out").exists()
