"""Python programs in processes forked from one warm interpreter (the local backend's fork server).

A fork server is a `python3` that has already run a preload (imports, compiled code): each exec
forks it, so a program costs a fork instead of an interpreter start-up and its imports (~50 ms
for the judge's runner). Programs run as under LocalSandbox.exec: the harness's user, an empty
environment, a session of their own (killed whole on timeout or when done), stdin fed and stdout
and stderr capped by the same policy (local.read_capped). The server dies with the harness, and
when its ForkServer is closed or garbage-collected. Its parent-death signal follows the thread that
made the ForkServer (a Linux rule): make it on a thread that lives as long as the server is used
(the main thread, an event loop's own); should that thread end, execs raise SandboxError.

Forks of one server share its start-up randomness (string hash seed, address layout), where
separate interpreters each draw their own.
"""

from __future__ import annotations

import asyncio
import shutil
import signal
import socket
import subprocess
import tempfile
import weakref
from pathlib import Path

from codefront.sandbox.base import ExecResult, SandboxError
from codefront.sandbox.exec_stream import HalfClosingStdin
from codefront.sandbox.processes import (
    SYSTEM_PATH,
    clean_env,
    kill_group,
    python_bin_dir,
    read_capped,
    sandbox_python,
)

SERVER = Path(__file__).with_name("forkserver_main.py").read_text()
FLAGS = ("-I", "-S", "-B")
START_TIMEOUT_S = 60.0


class ForkedProcess:
    """A process the server forked, as the parts of an asyncio subprocess that read_capped uses."""

    def __init__(self, pid: int, streams: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]]) -> None:
        (self.stdout, stdin), (self.stderr, _), (self._status, _) = streams
        self.pid, self.stdin = pid, HalfClosingStdin(stdin)
        self.returncode: int | None = None
        self.orphaned = False
        """Its server died before saying how it ended."""

    async def wait(self) -> int:
        line = await self._status.readline()
        self.orphaned = not line.strip()
        self.returncode = -signal.SIGKILL if self.orphaned else int(line)
        return self.returncode

    def kill(self) -> None:
        kill_group(self.pid)


class ForkServer:
    """One warm interpreter; `exec` runs a program (Python source, in the preload's namespace) in a
    fresh fork of it."""

    def __init__(self, preload: str) -> None:
        self.workspace = tempfile.mkdtemp(prefix="codefront-fork-")
        preload_file = Path(self.workspace, "preload.py")
        preload_file.write_text(preload)
        self.control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.process = subprocess.Popen(
            [sandbox_python(), *FLAGS, "-c", SERVER, str(theirs.fileno()), str(preload_file)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(theirs.fileno(),), cwd=self.workspace, start_new_session=True,
            env=clean_env(self.workspace, path=f"{python_bin_dir()}:{SYSTEM_PATH}"),
        )  # fmt: skip
        theirs.close()
        self.control.setblocking(False)
        self._started: asyncio.Future | None = None
        self._up = False
        self._finalizer = weakref.finalize(self, _stop, self.process, self.control, self.workspace)

    async def exec(
        self, program: str, input: bytes | None, timeout: float | None, output_limit: int
    ) -> ExecResult:
        """Run `program` in a fork; SandboxError where the server cannot (it failed or died)."""
        await self._ready()
        pairs = [socket.socketpair() for _ in range(3)]  # stdin and stdout, stderr, status
        try:
            await self._send(program.encode(), [theirs.fileno() for _, theirs in pairs])
        except BaseException:
            for ours, _ in pairs:
                ours.close()
            raise
        finally:
            for _, theirs in pairs:
                theirs.close()
        streams: list = []
        process = None
        try:  # however this ends (cancelled included), the fork's session is killed, its streams closed
            for ours, _ in pairs:
                streams.append(await asyncio.open_unix_connection(sock=ours))
            pid = await streams[2][0].readline()
            if not pid.strip():
                raise SandboxError("fork server: it could not fork, or died")
            process = ForkedProcess(int(pid), streams)
            result = await read_capped(process, input, timeout, output_limit, kill=process.kill)
        finally:
            if process is not None:
                process.kill()  # whatever it left running in its session
            for _, writer in streams:
                writer.close()
        if process.orphaned:  # it was killed with its server: what it wrote is not a result
            raise SandboxError("fork server: it died while the program ran")
        return result

    def alive(self) -> bool:
        return self.process.poll() is None

    async def _ready(self) -> None:
        """Wait for the server's preload once; a server that is up serves any event loop after."""
        if self._up:
            return
        if self._started is None or self._started.cancelled():  # the first waiter's loop ended
            self._started = asyncio.ensure_future(self._handshake())
        await asyncio.shield(self._started)
        self._up = True

    async def _handshake(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            reply = await asyncio.wait_for(loop.sock_recv(self.control, 4096), START_TIMEOUT_S)
        except (TimeoutError, OSError) as e:
            raise SandboxError(f"fork server: no answer ({e!r})") from e
        if reply != b"ready":
            raise SandboxError(f"fork server: {reply.decode(errors='replace') or 'exited at start-up'}")

    async def _send(self, program: bytes, fds: list[int]) -> None:
        for _ in range(1000):
            try:
                socket.send_fds(self.control, [program], fds)
                return
            except BlockingIOError:  # the server is still taking earlier requests
                await asyncio.sleep(0.001)
            except OSError as e:
                raise SandboxError(f"fork server: {e}") from e
        raise SandboxError("fork server: not taking requests")

    def close(self) -> None:
        self._finalizer()


def _stop(process: subprocess.Popen, control: socket.socket, workspace: str) -> None:
    control.close()  # the server ends when its control socket closes
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    shutil.rmtree(workspace, ignore_errors=True)
