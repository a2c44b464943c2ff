"""Fixtures shared by test files."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from codefront.sandbox import BACKENDS, backend_named

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module", params=sorted(BACKENDS), ids=str)
def backend(request):
    """Each registered sandbox backend in turn (Docker with its engine up and its image built)."""
    if request.param == "docker":
        from codefront.sandbox.image import build_image

        subprocess.run(["bash", str(ROOT / "scripts/docker-engine.sh")], check=True)
        build_image()
    backend = backend_named(request.param)
    yield backend
    if hasattr(backend, "shutdown"):
        backend.shutdown()
