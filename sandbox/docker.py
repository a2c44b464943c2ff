"""Docker backend: the same Sandbox interface, each sandbox a locked-down container.

Policy of every container: no network, read-only root, tmpfs /workspace and /tmp, memory, CPU and
process limits, no-new-privileges, and an environment of PATH, HOME and LANG only. Commands run as
the non-root `sandbox` user, without any capability. A `privileged` command (a trusted program
that drops to a uid of its own before running untrusted code, like the judge's runner) runs as
root with five capabilities (docker_pool.PRIVILEGED_CAPS): what it starts under another uid can then
neither signal it nor forge its output through /proc. PID 1 is a tiny reaper; every command is a
`docker exec`.

Start-up is amortized by a pool (docker_pool.py): a closed sandbox's container is reset in the
background (every process killed, SysV IPC removed, /workspace, /tmp and /dev/shm emptied and
checked empty) and handed to a later `open()`, up to `max_uses` times. A sandbox whose command was
interrupted or whose engine calls failed is removed instead, as is one whose reset fails.
Containers carry labels naming their owner process: strays left by a process that died without
cleaning up are removed by the next backend on the same host, or by `harness sandbox clean`.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import uuid

from codefront.sandbox.base import ExecResult, SandboxError
from codefront.sandbox.docker_pool import ROOT, USER, ContainerPool, DockerConfig
from codefront.sandbox.exec_stream import ExecStream, dup_socket
from codefront.sandbox.image import WORKSPACE
from codefront.sandbox.processes import clean_env, read_capped

# Runs every command: records its pid (a docker exec'd process leads its own process group, so
# the pid names the group to kill), enters the working dir, then becomes the command itself.
WRAPPER = 'echo $$ > "$0" && cd -- "$1" && shift && unset OLDPWD PWD && exec "$@"'
KILL_GROUP = (
    'for _ in 1 2 3 4 5 6 7 8 9 10; do [ -s "$0" ] && break; sleep 0.05; done; '
    'p=$(cat "$0" 2>/dev/null) && rm -f "$0" && kill -9 "-$p" 2>/dev/null; exit 0'
)


class DockerSandbox:
    """A sandbox in one container, for judging one submission or for a whole agent episode.

    As an episode workspace it is long-lived: commands run in /workspace (tmpfs, size-limited) with
    a timeout and an output cap, and public tests may be copied in with `write_file`.
    """

    def __init__(self, backend: DockerBackend, container_id: str) -> None:
        self.backend = backend
        self.container_id = container_id
        self._leftovers: list[str] = []
        """Pid files of finished commands whose process groups may still hold processes: the next
        command kills them first, which costs no extra round trip to the engine."""
        self._reusable = True
        self._closed = False

    def _path(self, path: str) -> str:
        return os.path.normpath(os.path.join(WORKSPACE, path))

    def _sh(self, script: str, *args: str) -> list[str]:
        kills = "".join(
            f'p=$(cat {f} 2>/dev/null) && kill -9 "-$p" 2>/dev/null; rm -f {f}; ' for f in self._leftovers
        )
        self._leftovers.clear()
        return ["/bin/sh", "-c", kills + script, *args]

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
        pidfile = f"/tmp/.codefront-exec-{uuid.uuid4().hex}"
        variables = [f"{k}={v}" for k, v in clean_env(WORKSPACE, env).items()]
        wrapped = self._sh(WRAPPER, pidfile, self._path(cwd or "."), *cmd)
        data = input.encode() if isinstance(input, str) else input
        user = ROOT if privileged else USER
        killer: list[asyncio.Future] = []

        def kill() -> None:
            if not killer:
                group = ["/bin/sh", "-c", KILL_GROUP, pidfile]
                killer.append(asyncio.ensure_future(self._run(group, user=user)))

        argv = ["/usr/bin/env", "-i", *variables, *wrapped]
        proc = await self._start(argv, data is not None, output_limit, user)
        try:
            result = await read_capped(proc, data, timeout, output_limit, kill)
        except BaseException:  # cancelled, or the engine failed: kill now, trust the container no more
            self._reusable = False
            kill()
            raise
        finally:
            proc.close()
            await asyncio.gather(*killer, return_exceptions=True)
        if not killer and user == USER:  # a privileged program sweeps up after itself
            self._leftovers.append(pidfile)
        return result

    async def write_file(self, path: str, content: str | bytes) -> None:
        script = 'mkdir -p -- "$(dirname -- "$0")" && cat > "$0"'
        code, _, err = await self._run(self._sh(script, self._path(path)), content)
        if code != 0:
            raise OSError(f"cannot write {path} in the sandbox: {err.decode(errors='replace').strip()}")

    async def read_file(self, path: str) -> bytes:
        script = '[ -f "$0" ] || exit 3; exec cat -- "$0"'
        code, out, err = await self._run(self._sh(script, self._path(path)))
        if code == 3:
            raise FileNotFoundError(path)
        if code != 0:
            raise OSError(f"cannot read {path} in the sandbox: {err.decode(errors='replace').strip()}")
        return out

    async def list_files(self, path: str = ".") -> list[str]:
        script = '[ -d "$0" ] || exit 0; exec find "$0" -type f -printf "%P\\0"'
        code, out, err = await self._run(self._sh(script, self._path(path)))
        if code != 0:
            raise OSError(f"cannot list {path} in the sandbox: {err.decode(errors='replace').strip()}")
        return sorted(name for name in out.decode().split("\0") if name)

    async def close(self) -> None:
        """Idempotent. The container goes back to the pool to be reset, or is removed."""
        if self._closed:
            return
        self._closed = True
        await self.backend.pool.give_back(self.container_id, self._reusable)

    async def _start(self, argv: list[str], stdin: bool, output_limit: int | None, user: str) -> ExecStream:
        try:
            return await start_exec(
                self.backend.pool.api(), self.container_id, argv, stdin, output_limit, user
            )
        except SandboxError:
            self._reusable = False
            raise

    async def _run(
        self, argv: list[str], data: str | bytes | None = None, user: str = USER
    ) -> tuple[int, bytes, bytes]:
        try:
            return await run_to_end(self.backend.pool.api(), self.container_id, argv, data, user)
        except SandboxError:
            self._reusable = False
            raise


async def start_exec(
    api, container_id: str, argv: list[str], stdin: bool, output_limit: int | None, user: str
) -> ExecStream:
    def start():
        exec_id = api.exec_create(container_id, argv, stdin=stdin, user=user, workdir=WORKSPACE)["Id"]
        return exec_id, dup_socket(api.exec_start(exec_id, socket=True))

    try:
        exec_id, sock = await asyncio.to_thread(start)
    except Exception as e:  # the engine's errors, or the container is gone
        raise SandboxError(f"docker exec failed: {e}") from None

    async def exit_code() -> int | None:
        return (await asyncio.to_thread(api.exec_inspect, exec_id))["ExitCode"]

    return await ExecStream.open(sock, exit_code, output_limit, stdin)


async def run_to_end(api, container_id: str, argv: list[str], data: str | bytes | None, user: str):
    """A trusted helper command, run to completion: (exit status, stdout, stderr)."""
    raw = data.encode() if isinstance(data, str) else data
    proc = await start_exec(api, container_id, argv, raw is not None, None, user)
    try:
        out, err, _ = await asyncio.gather(proc.stdout.read(), proc.stderr.read(), proc.feed_all(raw))
        code = await proc.wait()
    finally:
        proc.close()
    return (code if code is not None else -1), out, err


class DockerBackend:
    name = "docker"

    def __init__(self, config: DockerConfig | None = None) -> None:
        self.pool = ContainerPool(config or DockerConfig())
        atexit.register(self.pool.shutdown)

    async def open(self) -> DockerSandbox:
        return DockerSandbox(self, await self.pool.take())

    def shutdown(self) -> None:
        """Remove every container of this backend; it stays usable and makes new ones as needed."""
        self.pool.shutdown()
