"""The containers behind Docker sandboxes: made on demand with the sandbox policy, reset in the
background after each use and kept warm for the next sandbox, removed when spent or broken."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from codefront.sandbox.base import SandboxError
from codefront.sandbox.image import ENGINE_HINT, SANDBOX_UID, WORKSPACE, ImageSpec, docker_client
from codefront.sandbox.processes import clean_env

LABEL = "org.codefront.sandbox"
OWNER_LABEL = "org.codefront.sandbox.owner"
USER = f"{SANDBOX_UID}:{SANDBOX_UID}"
ROOT = "0:0"
SCRATCH_DIRS = (WORKSPACE, "/tmp", "/dev/shm")

# PID 1: reaps the orphans of exec'd commands, which the kernel re-parents to it. It runs as the
# container's user, root, so that no sandboxed process can signal or ptrace it: it outlives every
# reset, and must stay what it is.
REAPER = """
import os, signal
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
while True:
    signal.sigwait({signal.SIGCHLD})
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass
"""
# Between two sandboxes, as root: kill every process but PID 1 (and this shell), drop SysV IPC
# objects, empty the writable dirs; fail (the container is then removed, not reused) unless the
# dirs are empty, no IPC object is left and /workspace still has its mode.
RESET = f"""
kill -9 -1 2>/dev/null
ipcrm --all 2>/dev/null
for d in {" ".join(SCRATCH_DIRS)}; do
    find "$d" -mindepth 1 -delete 2>/dev/null
done
[ -z "$(find {" ".join(SCRATCH_DIRS)} -mindepth 1 -print -quit 2>/dev/null)" ] &&
[ "$(cat /proc/sysvipc/shm /proc/sysvipc/sem /proc/sysvipc/msg | wc -l)" = 3 ] &&
[ "$(stat -c %a:%u {WORKSPACE})" = 755:{SANDBOX_UID} ]
"""
# What a privileged command (the judge's runner) needs, as root, to run code under a uid of its
# own (CHOWN for its temp dir, SETUID/SETGID to switch, KILL and DAC_OVERRIDE to kill and clean up
# after it). Only root processes hold them (PID 1, privileged commands, the reset): every other
# command runs as the sandbox user, with no capability at all (and no-new-privileges keeps it so).
PRIVILEGED_CAPS = ["CHOWN", "DAC_OVERRIDE", "SETUID", "SETGID", "KILL"]


@dataclass(frozen=True)
class DockerConfig:
    image: str = field(default_factory=lambda: ImageSpec().tag)
    memory_mb: int = 2048
    """The whole container, tmpfs contents included; per-command limits sit inside it."""
    cpus: float = 1.0
    pids: int = 128
    workspace_mb: int = 256
    tmp_mb: int = 512
    pool_size: int = 4
    """Containers kept warm: a sandbox gets one whose reset is done, or a new one while fewer than
    this many exist (so resets overlap with other sandboxes' work), or waits for a reset."""
    max_uses: int = 50
    """A container serves at most this many sandboxes before it is replaced."""


class ContainerPool:
    def __init__(self, config: DockerConfig) -> None:
        self.config = config
        self._client = None
        self._lock = threading.Lock()
        self._resets: ThreadPoolExecutor | None = None
        self._idle: list[tuple[str, Future[bool]]] = []
        """Containers given back, each with its reset (done, or under way in a thread)."""
        self._uses: dict[str, int] = {}
        """Every container made here and not removed yet, with how many sandboxes it served."""

    def api(self):
        if self._client is None:
            client = docker_client()
            remove_strays(client, dead_owners_only=True)
            self._client = client
        return self._client.api

    async def take(self) -> str:
        """A running container with an empty workspace and no process but its PID 1: one whose
        reset is done, else a new one while the pool is not full, else the oldest being reset."""
        while True:
            with self._lock:
                entry = next((e for e in self._idle if e[1].done()), None)
                if entry is None and self._idle and len(self._uses) >= self.config.pool_size:
                    entry = self._idle[0]
                if entry is not None:
                    self._idle.remove(entry)
            if entry is None:
                container_id = await asyncio.to_thread(self._create)
                break
            container_id, reset = entry
            try:  # shielded: a cancelled taker must not cancel the reset, which stays for the next
                ready = await asyncio.shield(asyncio.wrap_future(reset))
            except BaseException:
                with self._lock:
                    self._idle.insert(0, entry)
                raise
            if ready:
                break
            await asyncio.to_thread(self.remove, container_id)
        with self._lock:
            self._uses[container_id] += 1
        return container_id

    async def give_back(self, container_id: str, reusable: bool) -> None:
        with self._lock:
            uses = self._uses.get(container_id)
            keep = reusable and uses is not None and uses < self.config.max_uses
            if keep and len(self._idle) < self.config.pool_size:
                if self._resets is None:
                    self._resets = ThreadPoolExecutor(2, thread_name_prefix="codefront-reset")
                self._idle.append((container_id, self._resets.submit(self._reset, container_id)))
                return
        await asyncio.to_thread(self.remove, container_id)

    def containers(self) -> set[str]:
        """Every container made here and not removed yet, idle or in use."""
        with self._lock:
            return set(self._uses)

    def shutdown(self) -> None:
        """Remove every container made here, idle or still in use."""
        with self._lock:
            resets, self._resets = self._resets, None
        if resets is not None:
            resets.shutdown(wait=True)
        with self._lock:
            doomed = list(self._uses)
        for container_id in doomed:
            self.remove(container_id)

    def remove(self, container_id: str) -> None:
        from docker.errors import DockerException, NotFound

        with self._lock:
            self._uses.pop(container_id, None)
            self._idle = [entry for entry in self._idle if entry[0] != container_id]
        try:
            self._client.api.remove_container(container_id, force=True)
        except NotFound:
            pass
        except DockerException:
            pass  # the engine went away; the labels let `harness sandbox clean` find it later

    def _create(self) -> str:
        from docker.errors import DockerException, ImageNotFound

        api = self.api()
        c = self.config
        host_config = api.create_host_config(
            network_mode="none",
            read_only=True,
            tmpfs={
                WORKSPACE: f"size={c.workspace_mb}m,uid={SANDBOX_UID},gid={SANDBOX_UID},mode=0755,exec",
                "/tmp": f"size={c.tmp_mb}m,mode=1777,exec",
            },
            mem_limit=f"{c.memory_mb}m",
            memswap_limit=f"{c.memory_mb}m",
            nano_cpus=int(c.cpus * 1e9),
            pids_limit=c.pids,
            cap_drop=["ALL"],
            cap_add=PRIVILEGED_CAPS,
            security_opt=["no-new-privileges"],
            ipc_mode="private",
        )
        try:
            container_id = api.create_container(
                c.image,
                ["/usr/bin/python3", "-E", "-s", "-c", REAPER],
                working_dir=WORKSPACE,
                environment=clean_env(WORKSPACE),
                hostname="sandbox",
                labels={LABEL: "1", OWNER_LABEL: owner()},
                host_config=host_config,
            )["Id"]
        except ImageNotFound:
            raise SandboxError(
                f"the sandbox image {c.image} is missing: run `harness sandbox build`"
            ) from None
        except DockerException as e:
            raise SandboxError(f"cannot create a sandbox container ({e}): {ENGINE_HINT}") from None
        with self._lock:
            self._uses[container_id] = 0
        try:
            api.start(container_id)
        except DockerException as e:
            self.remove(container_id)
            raise SandboxError(f"cannot start a sandbox container: {e}") from None
        return container_id

    def _reset(self, container_id: str) -> bool:
        try:
            api = self.api()
            exec_id = api.exec_create(container_id, ["/bin/sh", "-c", RESET], user=ROOT)["Id"]
            api.exec_start(exec_id)
            return api.exec_inspect(exec_id)["ExitCode"] == 0
        except Exception:  # the engine's errors and its connection's: either way, not reusable
            return False


def owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def remove_strays(client, dead_owners_only: bool) -> int:
    """Remove sandbox containers left behind: by processes of this host that no longer exist, or
    (dead_owners_only=False) every sandbox container of the engine. Returns how many."""
    host = socket.gethostname()
    removed = 0
    for container in client.containers.list(all=True, filters={"label": LABEL}):
        name, _, pid = container.labels.get(OWNER_LABEL, "").rpartition(":")
        if dead_owners_only and (name != host or not pid.isdigit() or _alive(int(pid))):
            continue
        container.remove(force=True)
        removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True
