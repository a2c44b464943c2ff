"""Training presets: the GRPO settings for a small CPU smoke run and for GPU clusters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    max_steps: int
    learning_rate: float
    per_device_train_batch_size: int
    """Completions per device per optimizer micro-step; a multiple of num_generations."""
    gradient_accumulation_steps: int
    num_generations: int
    """Completions per prompt: GRPO's group, whose reward spread is the learning signal."""
    max_completion_length: int
    temperature: float
    dtype: Literal["float32", "bfloat16"]
    """The weights' dtype while training, and so in the saved checkpoint."""
    use_cpu: bool
    bf16: bool
    use_vllm: bool
    gradient_checkpointing: bool
    vllm_gpu_memory_utilization: float = 0.3
    beta: float = 0.0
    """KL penalty to the base: 0, as in recent GRPO practice, so no reference model is kept."""


PRESETS = {
    p.name: p
    for p in (
        Preset(
            name="cpu-tiny",
            description="the embedded model on 2 CPU cores: 4 steps of one prompt x 4 completions, minutes",
            # A step takes 1-2 minutes on 2 shared cores (generation is most of it).
            max_steps=4,
            # Large for GRPO, so that a few steps visibly move a 135M model.
            learning_rate=1e-5,
            per_device_train_batch_size=4,
            gradient_accumulation_steps=1,
            num_generations=4,
            # The embedded model's starter-tier answers take 70-150 tokens.
            max_completion_length=160,
            # Below 1: a 135M model sampled at 1.0 rarely writes a program that runs at all.
            temperature=0.7,
            # bf16 rounding would swallow a few small updates: train and save in float32.
            dtype="float32",
            use_cpu=True,
            bf16=False,
            use_vllm=False,
            gradient_checkpointing=False,
        ),
        Preset(
            name="gpu",
            description="GPUs: vLLM generation colocated with training, bf16, groups of 8, 4k-token completions",
            max_steps=500,
            learning_rate=1e-6,
            per_device_train_batch_size=8,
            gradient_accumulation_steps=4,
            num_generations=8,
            max_completion_length=4096,
            temperature=1.0,
            dtype="bfloat16",
            use_cpu=False,
            bf16=True,
            use_vllm=True,
            gradient_checkpointing=True,
        ),
    )
}


def preset_named(name: str) -> Preset:
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown preset {name!r}: choose one of {', '.join(PRESETS)}") from None
