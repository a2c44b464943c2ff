"""Fixtures shared by test files."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from loopback_endpoint import Scripted, serve, write_fixture

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


@pytest.fixture
def endpoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Models `good` and `bad` on a scripted loopback endpoint (the user's models.yaml), and the path
    of a file of three problems they answer."""
    server = serve()
    models, problems = write_fixture(tmp_path, server)
    monkeypatch.setenv("CODEFRONT_MODELS", str(models))
    monkeypatch.setenv("CODEFRONT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CODEFRONT_SANDBOX", raising=False)
    Scripted.seeds.clear()
    yield problems
    server.shutdown()
    server.server_close()
