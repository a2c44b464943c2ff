"""A vLLM OpenAI-compatible server per local checkpoint: started on a free port, health-checked,
shared between runs through a state file, and stopped by whoever started it.

State lives in `$CODEFRONT_HOME/servers/<name>-<fingerprint>.json` (pid, port, weights hash) beside
the server's log. A server is reused only while its process is alive, it answers for the same
checkpoint, and the checkpoint's weights hash is still the one it was started with.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import functools
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

from codefront.harness.models.errors import ServeError
from codefront.harness.models.paths import codefront_home
from codefront.harness.models.provenance import weights_hash
from codefront.harness.models.spec import ModelSpec, read_cpu_flags
from codefront.harness.models.waiting import Waiting, waiting

START_TIMEOUT_S = 600.0
STOP_TIMEOUT_S = 30.0
LOG_TAIL_LINES = 25
CPU_KVCACHE_GIB = "2"
"""KV cache for CPU servers unless VLLM_CPU_KVCACHE_SPACE is set: enough for 16 SmolLM2 requests at
full context; an explicit size also skips vLLM's memory-probing warm-up."""


@dataclass(frozen=True)
class ServerInfo:
    served_name: str
    checkpoint: str
    port: int
    pid: int
    weights_hash: str
    fingerprint: str
    log_path: str
    started_at: float
    dtype: str | None = None
    """The `--dtype` the harness chose for it (None: vllm_args set one, or vLLM's default)."""
    reused: bool = False
    """True when this run found the server already up (and so leaves it running)."""

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"


@functools.cache
def gpu_available() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return torch.cuda.is_available()


@dataclass(frozen=True)
class CorePlan:
    """Which cores a CPU server computes on, and which are left to the harness and its judge."""

    server: tuple[int, ...]
    harness: tuple[int, ...]


def core_plan(cores: Sequence[int]) -> CorePlan:
    """A quarter of the cores (at least one) for the harness, the rest for vLLM's compute threads.

    Generation and judging overlap in a run; sharing cores, every judged test would stall vLLM's
    OpenMP threads at their barriers. On 2 cores this is vLLM's own automatic split (one compute
    core, one for its scheduler), made explicit so the judge lands on the free core too."""
    ordered = tuple(sorted(cores))
    if len(ordered) < 2:
        return CorePlan(ordered, ordered)
    left = max(1, len(ordered) // 4)
    return CorePlan(ordered[left:], ordered[:left])


def server_command(
    spec: ModelSpec, checkpoint: Path, port: int, gpu: bool, dtype: str | None = None
) -> list[str]:
    cmd = [sys.executable, "-m", "vllm.entrypoints.openai.api_server", "--model", str(checkpoint)]
    cmd += ["--served-model-name", spec.name, "--host", "127.0.0.1", "--port", str(port)]
    if dtype:
        cmd += ["--dtype", dtype]
    if not gpu:
        # CUDA graphs do not exist on CPU; eager mode skips compilation and starts in ~40 s.
        cmd.append("--enforce-eager")
        # A prompt prefilled in chunks makes vLLM rewind its request's seeded generator, which CPU
        # generators cannot do: the engine dies ("CPU Generator does not use offset", vLLM 0.32).
        # Whole prefills let every request carry its seed.
        cmd.append("--no-enable-chunked-prefill")
    if spec.tool_protocol == "native" and spec.tool_call_parser:
        cmd += ["--enable-auto-tool-choice", "--tool-call-parser", spec.tool_call_parser]
    return cmd + list(spec.vllm_args)


def server_env(gpu: bool, plan: CorePlan | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("HF_HUB_OFFLINE", "1")
    if not gpu:
        env.setdefault("VLLM_CPU_KVCACHE_SPACE", CPU_KVCACHE_GIB)
        if plan is not None:
            env.setdefault("VLLM_CPU_OMP_THREADS_BIND", ",".join(map(str, plan.server)))
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.asynccontextmanager
async def serving(
    spec: ModelSpec, *, port: int | None = None, timeout_s: float = START_TIMEOUT_S, home: Path | None = None
) -> AsyncIterator[ServerInfo]:
    """A running server for `spec`'s checkpoint: reused if one is up, else started and, on exit, stopped."""
    launch = await _plan_launch(spec)
    state = (home or codefront_home()) / "servers" / f"{spec.name}-{launch.fingerprint}.json"
    state.parent.mkdir(parents=True, exist_ok=True)
    async with _state_lock(state):
        info = await _reusable(state, launch.digest)
        if info is not None and port not in (None, info.port):
            raise ServeError(
                f"{spec.name} is already served on port {info.port} (pid {info.pid}); stop it or drop --port"
            )
        proc = None
        # The server's processes inherit the harness's cores; its compute threads bind to plan.server.
        restore = _pin_harness(launch.plan.harness if launch.plan else None)
        try:
            if info is None:
                info, proc = _launch(launch, port or free_port(), state)
                await _wait_healthy(info, proc, timeout_s, state)
        except BaseException:
            _pin_harness(restore)
            raise
    try:
        yield info
    finally:
        _pin_harness(restore)
        if proc is not None:
            stop_server(info, proc)
            state.unlink(missing_ok=True)


@dataclass(frozen=True)
class Launch:
    """What a server for one checkpoint is started with on this machine."""

    spec: ModelSpec
    checkpoint: Path
    digest: str
    gpu: bool
    dtype: str | None
    plan: CorePlan | None

    @property
    def fingerprint(self) -> str:
        command = server_command(self.spec, self.checkpoint, 0, self.gpu, self.dtype)
        return hashlib.sha256(json.dumps(command[1:]).encode()).hexdigest()[:12]


async def _plan_launch(spec: ModelSpec) -> Launch:
    checkpoint = (await asyncio.to_thread(spec.checkpoint_dir)).resolve()
    digest = await asyncio.to_thread(weights_hash, checkpoint)
    gpu = await asyncio.to_thread(gpu_available)
    plan = None if gpu else core_plan(sorted(os.sched_getaffinity(0)))
    return Launch(spec, checkpoint, digest, gpu, spec.serving_dtype(gpu, read_cpu_flags()), plan)


def _pin_harness(cores: Sequence[int] | None) -> tuple[int, ...] | None:
    """Every thread of this process onto `cores` (what judge processes started later inherit);
    returns the cores it had before. None does nothing."""
    if cores is None:
        return None
    before = tuple(sorted(os.sched_getaffinity(0)))
    for tid in os.listdir("/proc/self/task"):
        with contextlib.suppress(OSError):
            os.sched_setaffinity(int(tid), cores)
    return before


def _launch(launch: Launch, port: int, state: Path) -> tuple[ServerInfo, subprocess.Popen]:
    log_path = state.with_suffix(".log")
    with open(log_path, "wb") as log:
        # Its own session: Ctrl-C in the terminal reaches the harness, which then stops the whole group.
        proc = subprocess.Popen(
            server_command(launch.spec, launch.checkpoint, port, launch.gpu, launch.dtype),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=server_env(launch.gpu, launch.plan),
            start_new_session=True,
        )
    info = ServerInfo(launch.spec.name, str(launch.checkpoint), port, proc.pid, launch.digest,
                      launch.fingerprint, str(log_path), time.time(), launch.dtype)  # fmt: skip
    state.write_text(json.dumps(asdict(info), indent=2) + "\n")
    return info, proc


async def _wait_healthy(info: ServerInfo, proc: subprocess.Popen, timeout_s: float, state: Path) -> None:
    try:
        what = f"starting vLLM for {info.served_name} on port {info.port} (log: {info.log_path})"
        with waiting(what) as wait:
            await _poll_healthy(info, proc, timeout_s, wait)
    except BaseException:
        stop_server(info, proc)
        state.unlink(missing_ok=True)
        raise


async def _poll_healthy(info: ServerInfo, proc: subprocess.Popen, timeout_s: float, wait: Waiting) -> None:
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient(timeout=5.0) as http:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise ServeError(
                    f"vLLM for {info.served_name} exited with code {proc.returncode} while starting"
                    + log_tail(info.log_path)
                )
            if await _answers(http, info):
                return
            wait.update(last_log_line(info.log_path))
            await asyncio.sleep(1.0)
    raise ServeError(
        f"vLLM for {info.served_name} was not healthy after {timeout_s:.0f} s" + log_tail(info.log_path)
    )


def last_log_line(log_path: str, window: int = 4096) -> str:
    """The log's last non-empty line, read from its end (the log grows while the server starts)."""
    try:
        with open(log_path, "rb") as log:
            log.seek(0, os.SEEK_END)
            log.seek(max(0, log.tell() - window))
            lines = log.read().decode(errors="replace").splitlines()
    except OSError:
        return ""
    return next((line.strip() for line in reversed(lines) if line.strip()), "")


async def _answers(http: httpx.AsyncClient, info: ServerInfo) -> bool:
    """/health is up and /v1/models lists this checkpoint under the served name."""
    try:
        if (await http.get(f"http://127.0.0.1:{info.port}/health")).status_code != 200:
            return False
        models = (await http.get(f"{info.base_url}/models")).json().get("data") or []
    except (httpx.HTTPError, ValueError, AttributeError):
        return False
    return any(m.get("id") == info.served_name and m.get("root") == info.checkpoint for m in models)


async def _reusable(state: Path, digest: str, timeout_s: float = START_TIMEOUT_S) -> ServerInfo | None:
    """The recorded server, once it answers; None when there is none (or it serves other weights).

    A live server that is slow to answer (still starting, or busy on a loaded machine) is waited
    for, never forgotten: forgetting it would start a second one beside it."""
    try:
        info = ServerInfo(**{**json.loads(state.read_text()), "reused": True})
    except (OSError, ValueError, TypeError):
        return None
    if _group_alive(info.pid) and info.weights_hash != digest:
        # The checkpoint was rewritten under a running server: its answers would be for old weights.
        stop_server(info)
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient(timeout=30.0) as http:
        while _server_running(info.pid):
            if await _answers(http, info):
                return info
            if time.monotonic() > deadline:
                raise ServeError(
                    f"{info.served_name}: server pid {info.pid} is up but not answering"
                    + log_tail(info.log_path)
                )
            await asyncio.sleep(1.0)
    state.unlink(missing_ok=True)
    return None


def stop_server(
    info: ServerInfo, proc: subprocess.Popen | None = None, timeout_s: float = STOP_TIMEOUT_S
) -> None:
    """SIGTERM the server's process group (API server, engine core, workers), SIGKILL what remains."""
    for sig, wait_s in ((signal.SIGTERM, timeout_s), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(info.pid, sig)
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if proc is not None:
                proc.poll()  # reap the leader, or it lingers as a zombie in the group
            if not _group_alive(info.pid):
                return
            time.sleep(0.2)


def running_servers(home: Path | None = None) -> list[ServerInfo]:
    """Servers recorded under $CODEFRONT_HOME/servers whose process group is still alive."""
    found = []
    for state in sorted(((home or codefront_home()) / "servers").glob("*.json")):
        with contextlib.suppress(OSError, ValueError, TypeError):
            info = ServerInfo(**json.loads(state.read_text()))
            if _server_running(info.pid):
                found.append(info)
    return found


def log_tail(log_path: str, lines: int = LOG_TAIL_LINES) -> str:
    try:
        tail = Path(log_path).read_text(errors="replace").splitlines()[-lines:]
    except OSError:
        return f" (no log at {log_path})"
    return f"; last lines of {log_path}:\n" + "\n".join(tail)


def _group_alive(pgid: int) -> bool:
    """Some process of the server's group (API server, engine core, workers) is still there."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _server_running(pid: int) -> bool:
    """The server itself still runs: its group is there and its leader is not a zombie (a SIGKILLed
    harness's server can linger as one where nothing reaps orphans)."""
    if not _group_alive(pid):
        return False
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@contextlib.asynccontextmanager
async def _state_lock(state: Path) -> AsyncIterator[None]:
    """One starter per server: a second run waits here, then finds the first one's server up."""
    with open(state.with_suffix(".lock"), "a") as lock:
        await asyncio.to_thread(fcntl.flock, lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
