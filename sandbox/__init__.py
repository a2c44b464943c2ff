"""Where untrusted code runs: one interface (base.Sandbox), a local-process and a Docker backend."""

from __future__ import annotations

import os

from codefront.sandbox.base import ExecResult, Sandbox, SandboxBackend, SandboxError

BACKENDS = ("local", "docker")
ENV_VAR = "CODEFRONT_SANDBOX"


def default_sandbox(mode: str | None = None) -> str:
    """The backend used when none is named: $CODEFRONT_SANDBOX, else Docker for agentic episodes
    (a shell in a workspace wants a container) and local for everything else."""
    name = os.environ.get(ENV_VAR, "").strip() or ("docker" if mode == "agentic" else "local")
    if name not in BACKENDS:
        raise ValueError(f"{ENV_VAR}={name!r}: choose one of {', '.join(BACKENDS)}")
    return name


def backend_named(name: str | None = None) -> SandboxBackend:
    name = name or default_sandbox()
    if name == "local":
        from codefront.sandbox.local import LocalBackend

        return LocalBackend()
    if name == "docker":
        from codefront.sandbox.docker import DockerBackend

        return DockerBackend()
    raise ValueError(f"unknown sandbox {name!r}: choose one of {', '.join(BACKENDS)}")


__all__ = [
    "BACKENDS",
    "ExecResult",
    "Sandbox",
    "SandboxBackend",
    "SandboxError",
    "backend_named",
    "default_sandbox",
]
