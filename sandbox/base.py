"""The one interface through which untrusted code runs, whatever the backend."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


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


class Sandbox(Protocol):
    """A place to run commands and keep files. Paths are relative to its workspace unless absolute.

    `python` is the interpreter command inside the sandbox, and `judge_runner` the path of the
    judge's runner script there: the judge starts it with `exec([*python, judge_runner])`.
    """

    python: list[str]
    judge_runner: str
    judge_isolation: dict
    """Runner options that depend on the backend (network namespace, the tests' uid, clean-up sweep)."""

    async def exec(
        self,
        cmd: list[str],
        input: str | bytes | None = None,
        cwd: str | None = None,
        env: dict[str, str] | None = None,
        timeout: float | None = None,
        output_limit: int = 1 << 20,
    ) -> ExecResult:
        """Run `cmd` (no shell). On timeout the whole process tree is killed and `timed_out` set."""
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
