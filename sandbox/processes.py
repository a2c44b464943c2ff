"""What every backend's processes share: the environment they see, the interpreter that runs
sandboxed code, reading a process's output under a cap and a timeout, and killing its group."""

from __future__ import annotations

import asyncio
import atexit
import functools
import os
import shutil
import signal
import sys
import tempfile

from codefront.sandbox.base import ExecResult

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
