"""Local-process backend: a private temp workspace, an empty environment, process-group kill."""

from __future__ import annotations

import asyncio
import atexit
import functools
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path

from codefront.sandbox.base import ExecResult, PythonServer

SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"


def clean_env(workspace: str, extra: dict[str, str] | None = None, path: str = SYSTEM_PATH) -> dict[str, str]:
    """The only variables a sandboxed process sees: no host secrets ever pass."""
    return {"PATH": path, "HOME": workspace, "LANG": "C.UTF-8", **(extra or {})}


def sandbox_python() -> str:
    """The interpreter sandboxed code runs under. Debian's /usr/bin/python3 (with
    python3-sortedcontainers) is the same interpreter the Docker image carries, so verdicts match
    across backends; it is also readable by unprivileged uids, which an interpreter under /root is not."""
    override = os.environ.get("CODEFRONT_SANDBOX_PYTHON")
    if override:
        return override
    return "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable


@functools.cache
def python_bin_dir() -> str:
    """A directory, first on every local sandbox's PATH, whose `python3` is sandbox_python(): whatever
    else the host's PATH holds, `python3` in a sandbox is sandbox_python()."""
    bin_dir = tempfile.mkdtemp(prefix="codefront-bin-")
    atexit.register(shutil.rmtree, bin_dir, ignore_errors=True)
    os.chmod(bin_dir, 0o755)  # the tests' uids resolve python3 through it
    os.symlink(sandbox_python(), os.path.join(bin_dir, "python3"))
    return bin_dir


class LocalSandbox:
    def __init__(self) -> None:
        self.workspace = tempfile.mkdtemp(prefix="codefront-")
        self._path_var = f"{python_bin_dir()}:{SYSTEM_PATH}"

    def _path(self, path: str) -> Path:
        return Path(self.workspace, path)

    async def exec(
        self,
        cmd: list[str],
        input: str | bytes | None = None,
        cwd: str | None = None,
        env: dict[str, str] | None = None,
        timeout: float | None = None,
        output_limit: int = 1 << 20,
        privileged: bool = False,  # a local sandbox runs everything as the harness's own user
    ) -> ExecResult:
        proc = await asyncio.create_subprocess_exec(
            *cmd,
            stdin=asyncio.subprocess.PIPE if input is not None else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            cwd=str(self._path(cwd or ".")),
            env=clean_env(self.workspace, env, self._path_var),
            start_new_session=True,
        )
        data = input.encode() if isinstance(input, str) else input
        try:
            return await read_capped(proc, data, timeout, output_limit, kill=lambda: kill_group(proc.pid))
        finally:
            kill_group(proc.pid)  # whatever it left behind in its group, on every exit path

    async def write_file(self, path: str, content: str | bytes) -> None:
        target = self._path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content.encode() if isinstance(content, str) else content)

    async def read_file(self, path: str) -> bytes:
        return self._path(path).read_bytes()

    async def list_files(self, path: str = ".") -> list[str]:
        base = self._path(path)
        return sorted(str(p.relative_to(base)) for p in base.rglob("*") if p.is_file())

    async def close(self) -> None:
        shutil.rmtree(self.workspace, ignore_errors=True)


async def read_capped(proc, data: bytes | None, timeout: float | None, limit: int, kill) -> ExecResult:
    """Feed stdin and collect stdout/stderr up to `limit` bytes each; past it, or at the timeout,
    call `kill` and keep what was read so far."""
    buffers = {"out": bytearray(), "err": bytearray()}
    truncated = False

    async def collect(stream: asyncio.StreamReader, buf: bytearray) -> None:
        nonlocal truncated
        try:
            # Past the cap, read on to EOF and drop it: an asyncio process's wait() ends only once all
            # its pipes are closed, and a pipe left unread with a full buffer never is.
            while chunk := await stream.read(1 << 16):
                if len(buf) <= limit:
                    buf += chunk
                if len(buf) > limit and not truncated:
                    truncated = True
                    kill()
        except ConnectionResetError:  # a socket whose process left input unread: all its output is in
            pass

    async def feed() -> None:
        if data is not None and proc.stdin is not None:
            try:
                proc.stdin.write(data)
                await proc.stdin.drain()
                proc.stdin.close()
            except (BrokenPipeError, ConnectionResetError):
                pass

    work = asyncio.gather(
        collect(proc.stdout, buffers["out"]), collect(proc.stderr, buffers["err"]), feed(), proc.wait()
    )
    timed_out = False
    try:
        await asyncio.wait_for(asyncio.shield(work), timeout)
    except TimeoutError:
        timed_out = True
        kill()
        try:  # a process that escaped the group may still hold a pipe open: do not wait on it forever
            await asyncio.wait_for(work, 5)
        except TimeoutError:
            pass
    return ExecResult(
        returncode=proc.returncode,
        stdout=bytes(buffers["out"][:limit]).decode(errors="replace"),
        stderr=bytes(buffers["err"][:limit]).decode(errors="replace"),
        timed_out=timed_out,
        truncated=truncated,
    )


def kill_group(pid: int) -> None:
    """SIGKILL to the process group `pid` leads, if there is one still."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


class LocalBackend:
    name = "local"

    async def open(self) -> LocalSandbox:
        return LocalSandbox()

    def fork_server(self, preload: str) -> PythonServer:
        from codefront.sandbox.forkserver import ForkServer  # it imports this module

        return ForkServer(preload)
