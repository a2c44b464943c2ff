"""Stream safetensors files a byte range at a time, without mapping or loading a whole file.

The format: an 8-byte little-endian header length, a JSON header that maps each tensor name to
its dtype, shape and data_offsets (relative to the end of the header) plus an optional
`__metadata__` of strings, then the tensors' raw bytes back to back.
"""

from __future__ import annotations

import json
import math
import os
import struct
from dataclasses import dataclass
from pathlib import Path

ELEMENT_SIZES = {
    "F64": 8, "F32": 4, "F16": 2, "BF16": 2, "F8_E4M3": 1, "F8_E5M2": 1,
    "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U64": 8, "U32": 4, "U16": 2, "U8": 1, "BOOL": 1,
}  # fmt: skip
MAX_HEADER_BYTES = 100 * 1024 * 1024


class SafetensorsFormatError(ValueError):
    """A file that is not a well-formed safetensors file."""


@dataclass(frozen=True)
class TensorEntry:
    """Where one tensor's bytes lie: `start`/`end` are absolute offsets in `path`."""

    name: str
    dtype: str
    shape: tuple[int, ...]
    path: Path
    start: int
    end: int

    @property
    def nbytes(self) -> int:
        return self.end - self.start

    @property
    def numel(self) -> int:
        return math.prod(self.shape)


def read_header(path: Path) -> tuple[dict[str, str], list[TensorEntry]]:
    """The file's `__metadata__` and its tensors in file order, checked to tile the data exactly."""
    with open(path, "rb") as f:
        prefix = f.read(8)
        if len(prefix) < 8:
            raise SafetensorsFormatError(f"{path}: too short for a safetensors file")
        (length,) = struct.unpack("<Q", prefix)
        if length > MAX_HEADER_BYTES:
            raise SafetensorsFormatError(f"{path}: header length {length} is implausible")
        try:
            header = json.loads(f.read(length))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise SafetensorsFormatError(f"{path}: header is not JSON ({e})") from None
    if not isinstance(header, dict):
        raise SafetensorsFormatError(f"{path}: header is not a JSON object")
    metadata = header.pop("__metadata__", None) or {}
    entries = sorted((_entry(path, 8 + length, n, v) for n, v in header.items()), key=lambda e: e.start)
    position = 8 + length
    for entry in entries:
        if entry.start != position:
            raise SafetensorsFormatError(f"{path}: tensor {entry.name} does not follow the previous one")
        position = entry.end
    if position != path.stat().st_size:
        raise SafetensorsFormatError(f"{path}: data ends at {position}, file has {path.stat().st_size} bytes")
    return metadata, entries


def _entry(path: Path, base: int, name: str, info: object) -> TensorEntry:
    try:
        dtype, shape, (start, end) = info["dtype"], tuple(info["shape"]), info["data_offsets"]  # type: ignore[index]
    except (TypeError, KeyError, ValueError):
        raise SafetensorsFormatError(f"{path}: tensor {name} has a malformed header entry") from None
    entry = TensorEntry(name, dtype, shape, path, base + start, base + end)
    if dtype not in ELEMENT_SIZES or entry.nbytes != entry.numel * ELEMENT_SIZES[dtype]:
        raise SafetensorsFormatError(
            f"{path}: tensor {name} ({dtype}, {list(shape)}) has {entry.nbytes} bytes"
        )
    return entry


class FileReader:
    """Reads byte ranges of files into caller-owned buffers; opens each file once, closes them together."""

    def __init__(self) -> None:
        self._fds: dict[Path, int] = {}

    def read_into(self, path: Path, view: memoryview, offset: int) -> None:
        """Fill `view` with the bytes of `path` from `offset`."""
        fd = self._fds.get(path)
        if fd is None:
            fd = self._fds[path] = os.open(path, os.O_RDONLY)
        while view:
            n = os.preadv(fd, [view], offset)
            if n == 0:
                raise SafetensorsFormatError(f"{path}: unexpected end of file at offset {offset}")
            view, offset = view[n:], offset + n

    def close(self) -> None:
        for fd in self._fds.values():
            os.close(fd)
        self._fds.clear()

    def __enter__(self) -> FileReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class SafetensorsWriter:
    """Writes one safetensors file incrementally: the header first, then each tensor's bytes in order.

    `specs` are (name, dtype, shape) in the order their bytes will be written.
    """

    def __init__(
        self, path: Path, specs: list[tuple[str, str, tuple[int, ...]]], metadata: dict[str, str]
    ) -> None:
        header: dict[str, object] = {"__metadata__": metadata} if metadata else {}
        offset = 0
        for name, dtype, shape in specs:
            end = offset + math.prod(shape) * ELEMENT_SIZES[dtype]
            header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, end]}
            offset = end
        encoded = json.dumps(header, separators=(",", ":")).encode()
        # Readers hand out tensors straight from the buffer, so keep the data 8-byte aligned.
        encoded += b" " * (-len(encoded) % 8)
        self.path = path
        self._remaining = offset
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        self._write_all(memoryview(struct.pack("<Q", len(encoded)) + encoded))

    def write(self, chunk: memoryview) -> None:
        """Append the next bytes of tensor data."""
        view = chunk.cast("B")
        if len(view) > self._remaining:
            raise ValueError(f"{self.path}: more bytes than the header announced")
        self._remaining -= len(view)
        self._write_all(view)

    def _write_all(self, view: memoryview) -> None:
        while view:
            view = view[os.write(self._fd, view) :]

    def close(self) -> None:
        os.close(self._fd)
        if self._remaining:
            raise ValueError(f"{self.path}: {self._remaining} announced bytes were never written")

    def __enter__(self) -> SafetensorsWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc_info: object) -> None:
        if kind is None:
            self.close()
        else:
            os.close(self._fd)


def rewrite_metadata(path: Path, metadata: dict[str, str]) -> None:
    """Replace a file's `__metadata__` in place; the new header may not be longer than the old."""
    with open(path, "r+b") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        header["__metadata__"] = metadata
        encoded = json.dumps(header, separators=(",", ":")).encode()
        if len(encoded) > length:
            raise ValueError(f"{path}: the new metadata does not fit in the header")
        f.seek(8)
        f.write(encoded.ljust(length))
