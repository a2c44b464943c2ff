"""Where untrusted code runs: one interface (base.Sandbox), a local-process and a Docker backend."""

from __future__ import annotations

from codefront.sandbox.base import ExecResult, Sandbox, SandboxBackend, SandboxError

BACKENDS = ("local", "docker")


def backend_named(name: str) -> SandboxBackend:
    if name == "local":
        from codefront.sandbox.local import LocalBackend

        return LocalBackend()
    if name == "docker":
        from codefront.sandbox.docker import DockerBackend

        return DockerBackend()
    raise ValueError(f"unknown sandbox {name!r}: choose one of {', '.join(BACKENDS)}")


__all__ = ["BACKENDS", "ExecResult", "Sandbox", "SandboxBackend", "SandboxError", "backend_named"]
