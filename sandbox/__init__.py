"""Where untrusted code runs: one interface (base.Sandbox), and the backends by name."""

from __future__ import annotations

import os
from collections.abc import Callable

from codefront.sandbox.base import PYTHON, ExecResult, Sandbox, SandboxBackend, SandboxError

ENV_VAR = "CODEFRONT_SANDBOX"


def _local() -> SandboxBackend:
    from codefront.sandbox.local import LocalBackend

    return LocalBackend()


def _docker() -> SandboxBackend:
    from codefront.sandbox.docker import DockerBackend

    return DockerBackend()


BACKENDS: dict[str, Callable[[], SandboxBackend]] = {"local": _local, "docker": _docker}
"""Every backend by name; a new one registers here and implements base.Sandbox, nothing else."""


def check_backend(name: str, where: str = "sandbox") -> str:
    if name not in BACKENDS:
        raise ValueError(f"{where}: unknown sandbox {name!r}: choose one of {', '.join(BACKENDS)}")
    return name


def default_sandbox() -> str | None:
    """$CODEFRONT_SANDBOX when set (checked), else None: the caller's own default applies."""
    name = os.environ.get(ENV_VAR, "").strip()
    return check_backend(name, ENV_VAR) if name else None


def sandbox_name(name: str | None = None) -> str:
    """`name`, else $CODEFRONT_SANDBOX, else local."""
    return check_backend(name or default_sandbox() or "local")


def backend_named(name: str | None = None) -> SandboxBackend:
    """The backend `name`, else $CODEFRONT_SANDBOX, else local."""
    return BACKENDS[sandbox_name(name)]()


__all__ = [
    "BACKENDS",
    "PYTHON",
    "ExecResult",
    "Sandbox",
    "SandboxBackend",
    "SandboxError",
    "backend_named",
    "check_backend",
    "default_sandbox",
    "sandbox_name",
]
