"""Where the harness keeps its own state: converted models, the managed registry, server records."""

from __future__ import annotations

import os
from pathlib import Path


def codefront_home() -> Path:
    """`$CODEFRONT_HOME`, or ~/.cache/codefront."""
    return Path(os.environ.get("CODEFRONT_HOME") or "~/.cache/codefront").expanduser()
