"""Content hashes of checkpoint weights, computed in parallel and, during a merge, in the background."""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

BLOCK_BYTES = 1 << 20


class HashingStopped(Exception):
    """The caller no longer needs the hash."""


def weights_hash(path: Path) -> str:
    """Content hash of a checkpoint's weights, as the model registry defines it: sha256 over
    `name NUL sha256(file) LF` for every *.safetensors file, by sorted name."""
    return weights_hashes([path])[0]


def weights_hashes(paths: list[Path], stop: threading.Event | None = None) -> list[str]:
    """`weights_hash` of several checkpoints, hashing all their files in parallel."""
    listings = [sorted(p.glob("*.safetensors")) for p in paths]
    for path, files in zip(paths, listings, strict=True):
        if not files:
            raise FileNotFoundError(f"{path}: no *.safetensors weights to hash")
    files = [f for listing in listings for f in listing]
    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
        digests = dict(zip(files, pool.map(lambda f: file_sha256(f, stop), files), strict=True))
    return [
        hashlib.sha256("".join(f"{f.name}\0{digests[f]}\n" for f in listing).encode()).hexdigest()
        for listing in listings
    ]


def file_sha256(path: Path, stop: threading.Event | None = None) -> str:
    digest = hashlib.sha256()
    block = bytearray(BLOCK_BYTES)
    view = memoryview(block)
    with open(path, "rb", buffering=0) as f:
        while size := f.readinto(block):
            if stop is not None and stop.is_set():
                raise HashingStopped
            digest.update(view[:size])
    return digest.hexdigest()


@contextmanager
def hashing_in_background(paths: list[Path]) -> Iterator[Callable[[], list[str]]]:
    """Start `weights_hashes(paths)` on another thread; yields the function that waits for it.

    hashlib releases the GIL, so the hashing overlaps the work in the `with` body. If the body
    fails, the hashing stops at its next block instead of reading every file to the end.
    """
    stop = threading.Event()
    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(weights_hashes, paths, stop)
        try:
            yield future.result
        finally:
            stop.set()
