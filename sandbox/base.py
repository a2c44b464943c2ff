"""The one interface through which untrusted code runs, whatever the backend."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class ExecResult:
    returncode: int
    stdout: str
    stderr: str
    timed_out: bool = False
    truncated: bool = False
    """True when stdout or stderr was cut at the output limit."""

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out


class SandboxError(RuntimeError):
    """The sandbox itself failed (engine down, image missing): an infrastructure error."""


PYTHON = ("python3", "-E", "-s", "-B")
"""Every sandbox has `python3` on its PATH: Debian bookworm's, with sortedcontainers, so that code
behaves the same in every backend. These flags keep the host's environment and user site out."""


class Sandbox(Protocol):
    """A place to run commands and keep files. Paths are relative to its workspace unless absolute."""

    async def exec(
        self,
        cmd: list[str],
        input: str | bytes | None = None,
        cwd: str | None = None,
        env: dict[str, str] | None = None,
        timeout: float | None = None,
        output_limit: int = 1 << 20,
        privileged: bool = False,
    ) -> ExecResult:
        """Run `cmd` (no shell). On timeout the whole process tree is killed and `timed_out` set.

        `privileged` runs it as the sandbox's supervisor (root inside a container; locally, the
        harness's own user), for trusted programs that drop to an unprivileged uid themselves before
        running untrusted code. Everything else runs as the sandbox's unprivileged user."""
        ...

    async def write_file(self, path: str, content: str | bytes) -> None: ...

    async def read_file(self, path: str) -> bytes:
        """Raises FileNotFoundError when `path` does not exist."""
        ...

    async def list_files(self, path: str = ".") -> list[str]:
        """Files below `path`, relative to it, sorted."""
        ...

    async def close(self) -> None:
        """Remove everything the sandbox made: processes, files, containers."""
        ...


class SandboxBackend(Protocol):
    """Makes sandboxes: one per judged submission, or one per agent episode."""

    name: str

    async def open(self) -> Sandbox:
        """A fresh sandbox; `close()` it when done."""
        ...


class PythonServer(Protocol):
    """A warm interpreter: each exec runs a Python program (source, in the namespace the server's
    preload made) in a fresh fork of it, as Sandbox.exec would run it as the supervisor."""

    async def exec(
        self, program: str, input: bytes | None, timeout: float | None, output_limit: int
    ) -> ExecResult:
        """Raises SandboxError where the server cannot run it (its preload failed, or it died)."""
        ...

    def alive(self) -> bool:
        """False once the server has ended: it will run nothing more."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class Preloading(Protocol):
    """A backend that can keep warm interpreters (the local one): a program started many times
    then costs a fork, not an interpreter start-up and its imports."""

    def fork_server(self, preload: str) -> PythonServer: ...
