"""Local-process backend: a private temp workspace, an empty environment, process-group kill."""

from __future__ import annotations

import asyncio
import fcntl
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path

from codefront.sandbox.base import ExecResult, SandboxError

JUDGE_DIR = Path(__file__).resolve().parent.parent / "harness" / "judge"
JUDGE_UIDS = range(61000, 62000)
"""As root, each open sandbox leases one of these uids for its tests, machine-wide (flock on a lock
file), so a sandbox's process limit and clean-up sweep touch only its own processes, even with
several harness processes judging at once."""
UID_LOCKS = Path(tempfile.gettempdir()) / "codefront-judge-uids"


def lease_uid() -> tuple[int, int]:
    """A judge uid no other sandbox on this machine holds, and the lock fd that holds it."""
    UID_LOCKS.mkdir(mode=0o700, exist_ok=True)
    for uid in JUDGE_UIDS:
        fd = os.open(UID_LOCKS / str(uid), os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return uid, fd
        except BlockingIOError:
            os.close(fd)
    raise SandboxError(f"all {len(JUDGE_UIDS)} judge uids are in use")


def clean_env(workspace: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The only variables a sandboxed process sees: no host secrets ever pass."""
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": workspace, "LANG": "C.UTF-8", **(extra or {})}


def judge_python() -> str:
    """The interpreter submissions run under. Debian's /usr/bin/python3 (with python3-sortedcontainers)
    is the same interpreter the Docker image carries, so verdicts match across backends; it is also
    readable by the unprivileged test uids, which an interpreter under /root is not."""
    override = os.environ.get("CODEFRONT_JUDGE_PYTHON")
    if override:
        return override
    return "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable


class LocalSandbox:
    def __init__(self) -> None:
        self.workspace = tempfile.mkdtemp(prefix="codefront-")
        self.python = [judge_python(), "-E", "-s", "-B"]
        self.judge_runner = str(JUDGE_DIR / "runner.py")
        uid, self._uid_lock = lease_uid() if os.geteuid() == 0 else (None, None)
        self.judge_isolation = {"netns": True, "uid": uid, "sweep": uid is not None}

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
    ) -> ExecResult:
        proc = await asyncio.create_subprocess_exec(
            *cmd,
            stdin=asyncio.subprocess.PIPE if input is not None else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            cwd=str(self._path(cwd or ".")),
            env=clean_env(self.workspace, env),
            start_new_session=True,
        )
        data = input.encode() if isinstance(input, str) else input
        try:
            return await read_capped(proc, data, timeout, output_limit, kill=lambda: _killpg(proc.pid))
        finally:
            _killpg(proc.pid)  # whatever it left behind in its group, on every exit path

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
        if self._uid_lock is not None:
            os.close(self._uid_lock)
            self._uid_lock = None


async def read_capped(proc, data: bytes | None, timeout: float | None, limit: int, kill) -> ExecResult:
    """Feed stdin and collect stdout/stderr up to `limit` bytes each; past it, or at the timeout,
    call `kill` and keep what was read so far."""
    buffers = {"out": bytearray(), "err": bytearray()}
    truncated = False

    async def collect(stream: asyncio.StreamReader, buf: bytearray) -> None:
        nonlocal truncated
        while chunk := await stream.read(1 << 16):
            buf += chunk
            if len(buf) > limit:
                truncated = True
                kill()
                return

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


def _killpg(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


class LocalBackend:
    name = "local"

    async def open(self) -> LocalSandbox:
        return LocalSandbox()
