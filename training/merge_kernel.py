"""The arithmetic of a merge, one chunk of one tensor at a time, in preallocated float32 buffers.

Merging is elementwise, so a tensor is processed as a flat run of elements: memory stays at a few
chunks whatever the size of the largest tensor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import torch

from codefront.training.merge_inputs import FLOAT_DTYPES
from codefront.training.safetensors_stream import ELEMENT_SIZES, FileReader, TensorEntry

TORCH_DTYPES = dict(zip(FLOAT_DTYPES, (torch.float16, torch.bfloat16, torch.float32), strict=True))
CHUNK_ELEMENTS = 1 << 16  # float32 working set stays in L2

Sink = Callable[[memoryview], None]


class ChunkMerger:
    """Computes (1 - alpha) * low + alpha * high in float32 and casts to the output dtype.

    At alpha 0 and 1 the chosen input's bytes go through untouched (a cast only if the output
    dtype differs), so the endpoints reproduce the inputs bit for bit. Non-float tensors are
    copied from `low`; the caller has checked they are identical in both inputs.
    """

    def __init__(self, alpha: float) -> None:
        self.alpha = alpha
        self._reader = FileReader()
        self._chunk = CHUNK_ELEMENTS
        self._raw = [torch.empty(self._chunk * 4, dtype=torch.uint8) for _ in range(3)]
        self._acc = [torch.empty(self._chunk, dtype=torch.float32) for _ in range(2)]
        self._threads = torch.get_num_threads()

    def __enter__(self) -> ChunkMerger:
        # Each op touches one small chunk: a second thread costs more in fork/join than it saves,
        # and OpenMP's spinning threads slow to a crawl when the cores are shared.
        torch.set_num_threads(1)
        return self

    def __exit__(self, *exc_info: object) -> None:
        torch.set_num_threads(self._threads)
        self._reader.close()

    def tensor(self, low: TensorEntry, high: TensorEntry, out_dtype: str, sink: Sink) -> None:
        """Write the merged tensor's bytes, in `out_dtype`, to `sink`."""
        if low.dtype not in TORCH_DTYPES:
            self._convert(low, low.dtype, sink)
        elif self.alpha == 0.0:
            self._convert(low, out_dtype, sink)
        elif self.alpha == 1.0:
            self._convert(high, out_dtype, sink)
        else:
            self._interpolate(low, high, out_dtype, sink)

    def _convert(self, entry: TensorEntry, out_dtype: str, sink: Sink) -> None:
        for start, count in self._chunks(entry):
            raw = self._read(entry, start, count, self._raw[0])
            if out_dtype == entry.dtype:
                sink(memoryview(raw.numpy()))
            else:
                sink(self._cast(raw.view(TORCH_DTYPES[entry.dtype]), out_dtype))

    def _interpolate(self, low: TensorEntry, high: TensorEntry, out_dtype: str, sink: Sink) -> None:
        # Python floats become float32 scalars in float32 ops: the weights are rounded to float32.
        w_low, w_high = 1.0 - self.alpha, self.alpha
        for start, count in self._chunks(low):
            acc = self._load_f32(low, start, count, 0)
            other = self._load_f32(high, start, count, 1)
            acc.mul_(w_low)
            other.mul_(w_high)
            acc.add_(other)
            sink(self._cast(acc, out_dtype))

    def _load_f32(self, entry: TensorEntry, start: int, count: int, slot: int) -> torch.Tensor:
        acc = self._acc[slot][:count]
        if entry.dtype == "F32":
            self._read(entry, start, count, acc.view(torch.uint8))
        else:
            acc.copy_(self._read(entry, start, count, self._raw[slot]).view(TORCH_DTYPES[entry.dtype]))
        return acc

    def _cast(self, values: torch.Tensor, out_dtype: str) -> memoryview:
        if values.dtype == TORCH_DTYPES[out_dtype]:
            return memoryview(values.view(torch.uint8).numpy())
        out = self._raw[2][: values.numel() * ELEMENT_SIZES[out_dtype]]
        out.view(TORCH_DTYPES[out_dtype]).copy_(values)
        return memoryview(out.numpy())

    def _read(self, entry: TensorEntry, start: int, count: int, buffer: torch.Tensor) -> torch.Tensor:
        size = ELEMENT_SIZES[entry.dtype]
        raw = buffer[: count * size]
        self._reader.read_into(entry.path, memoryview(raw.numpy()), entry.start + start * size)
        return raw

    def _chunks(self, entry: TensorEntry) -> Iterator[tuple[int, int]]:
        # Non-float dtypes may be up to 8 bytes wide; keep their chunks within the 4-byte buffers.
        step = self._chunk * 4 // max(ELEMENT_SIZES[entry.dtype], 4)
        for start in range(0, entry.numel, step):
            yield start, min(step, entry.numel - start)
