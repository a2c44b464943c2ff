"""LiveCodeBench by name: `lcb` or `lcb:<version>` fetches `livecodebench/code_generation_lite`'s JSONL
files of that version from the Hugging Face hub (kept in the hub's cache, the one `datasets` uses) and
loads them with the LiveCodeBench row loader.

The dataset's own loading script picks files by `version_tag`; current `datasets` releases no longer
run dataset scripts, so the same version-to-files table lives here. Without a reachable hub (or with
HF_HUB_OFFLINE=1) only cached files are used, and when they are missing the error says, in one line,
how to point at a local copy instead.
"""

from __future__ import annotations

import os
import re
import socket
from pathlib import Path
from urllib.parse import urlparse

from codefront.harness.problems.loaders.base import Loaded, LoadOptions
from codefront.harness.problems.loaders.lcb import load_lcb

REPO = "livecodebench/code_generation_lite"
LATEST = 6
"""test.jsonl holds release v1's problems, test2.jsonl those v2 added, ... test6.jsonl v6's."""
PROBE_TIMEOUT_S = 3.0


class DatasetUnavailable(OSError):
    """A dataset named on the command line that can be neither downloaded nor found in the cache."""


def release_files(version: str) -> list[str]:
    """The files of a version tag: release_vN (v1..vN, cumulative), release_latest, vN (what N added)
    or vA_vB (what A..B added)."""
    if version == "release_latest":
        version = f"release_v{LATEST}"
    numbers: range | None = None
    if m := re.fullmatch(r"release_v(\d+)", version):
        numbers = range(1, int(m[1]) + 1)
    elif m := re.fullmatch(r"v(\d+)", version):
        numbers = range(int(m[1]), int(m[1]) + 1)
    elif m := re.fullmatch(r"v(\d+)_v(\d+)", version):
        numbers = range(int(m[1]), int(m[2]) + 1)
    if not numbers or not 1 <= numbers.start <= numbers.stop - 1 <= LATEST:
        raise ValueError(
            f"lcb:{version}: unknown LiveCodeBench version (release_v1 ... release_v{LATEST}, release_latest, "
            f"v1 ... v{LATEST}, or a range such as v2_v5)"
        )
    return [f"test{n if n > 1 else ''}.jsonl" for n in numbers]


def hub_reachable() -> bool:
    """A quick TCP connect, so an offline machine fails in seconds instead of the hub client's minute
    of retries."""
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes"):
        return False
    url = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        with socket.create_connection((url.hostname or "", port), timeout=PROBE_TIMEOUT_S):
            return True
    except OSError:
        return False


def fetch(files: list[str], source: str) -> list[Path]:
    """Local paths of the files: downloaded (or refreshed) when the hub answers, else from the cache."""
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    online = hub_reachable()
    try:
        return [
            Path(hf_hub_download(REPO, f, repo_type="dataset", local_files_only=not online)) for f in files
        ]
    except LocalEntryNotFoundError:
        raise DatasetUnavailable(
            f"{source}: the Hugging Face hub is unreachable and {REPO} is not cached; download its "
            f"{', '.join(files)} and pass --dataset path/to/{files[-1]} (one file) or the folder holding them"
        ) from None


def load_release(source: str, options: LoadOptions) -> Loaded:
    """`lcb` (the latest release) or `lcb:<version>`."""
    version = source.partition(":")[2] or "release_latest"
    loaded = Loaded()
    for path in fetch(release_files(version), source):
        loaded.extend(load_lcb(path, options.strict, options.hidden))
    return loaded
