"""A local checkpoint served by vLLM inside Ray actors, for `--executor ray`.

Each replica (`replicas: N` in models.yaml, default 1) is a `VllmReplica` actor that reserves its
server's GPUs (`num_gpus` = its `--tensor-parallel-size`, 1 without one; 0 on a cluster without
GPUs) and starts vLLM on its node through `serving`, as a local run does, with its own server state
so that two copies on one node never share a server. Ray places the actors (spread over nodes); the
server listens on every interface so workers on other nodes reach it at the node's address. A
watcher process stops the server if its actor dies without stopping it (a node's Ray killed)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path

import ray

from codefront.harness.executors.base import Served
from codefront.harness.models.client import ChatClient
from codefront.harness.models.errors import ModelConfigError, ModelError, ServeError
from codefront.harness.models.paths import codefront_home
from codefront.harness.models.provenance import ModelIdentity, checkpoint_identity
from codefront.harness.models.serve import last_log_line, serving
from codefront.harness.models.spec import ModelSpec
from codefront.harness.models.waiting import waiting

TP_FLAGS = ("--tensor-parallel-size", "-tp")
WATCHER = """import os, signal, sys, time
actor, group = int(sys.argv[1]), int(sys.argv[2])
def alive(pid, kill=os.kill):
    try:
        kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
while alive(actor):
    time.sleep(0.5)
for sig, wait_s in ((signal.SIGTERM, 20), (signal.SIGKILL, 5)):
    if not alive(group, os.killpg):
        break
    os.killpg(group, sig)
    deadline = time.monotonic() + wait_s
    while alive(group, os.killpg) and time.monotonic() < deadline:
        time.sleep(0.2)
"""
"""Run beside each server: once the actor's process is gone, the server's process group goes too."""


def tensor_parallel_size(spec: ModelSpec) -> int:
    """The `--tensor-parallel-size` (or -tp) in the entry's vllm_args; 1 without one."""
    args = list(spec.vllm_args)
    for i, arg in enumerate(args):
        flag, eq, value = arg.partition("=")
        if flag in TP_FLAGS:
            value = value if eq else (args[i + 1] if i + 1 < len(args) else "")
            if not value.isdigit() or int(value) < 1:
                raise ModelConfigError(
                    f"{spec.source}: models.{spec.name}.vllm_args: {flag} needs a positive integer, got {value!r}"
                )
            return int(value)
    return 1


@dataclass(frozen=True)
class Replica:
    """One started copy: where it answers, under which name, and what it serves."""

    base_url: str
    served_name: str
    identity: ModelIdentity


@ray.remote(num_cpus=0, max_restarts=0)
class VllmReplica:
    def __init__(self, spec: ModelSpec, index: int) -> None:
        self.spec = spec
        self.home = codefront_home() / "ray-replicas" / f"{spec.name}-{index}"
        self.stack = contextlib.AsyncExitStack()

    async def start(self) -> Replica:
        reachable = replace(self.spec, vllm_args=(*self.spec.vllm_args, "--host", "0.0.0.0"))
        server = await self.stack.enter_async_context(serving(reachable, home=self.home))
        if not server.reused:
            watcher = [sys.executable, "-c", WATCHER, str(os.getpid()), str(server.pid)]
            subprocess.Popen(watcher, start_new_session=True, stdin=subprocess.DEVNULL)
        identity = await asyncio.to_thread(checkpoint_identity, self.spec, Path(server.checkpoint))
        if server.dtype:  # chosen for this node's CPU, as a local run does
            identity = replace(identity, dtype=server.dtype)
        address = ray.util.get_node_ip_address()
        return Replica(f"http://{address}:{server.port}/v1", server.served_name, identity)

    def progress(self) -> str:
        """The last line of this replica's server log, while it starts."""
        logs = sorted((self.home / "servers").glob("*.log"))
        return last_log_line(str(logs[-1])) if logs else ""

    async def stop(self) -> None:
        await self.stack.aclose()


def gpus_per_replica(spec: ModelSpec) -> int:
    """The GPUs each replica reserves; an error now rather than actors waiting for GPUs that are not there."""
    cluster_gpus = ray.cluster_resources().get("GPU", 0)
    if cluster_gpus == 0:
        return 0
    gpus = tensor_parallel_size(spec)
    if gpus * spec.replicas > cluster_gpus:
        raise ServeError(
            f"{spec.name}: {spec.replicas} replica(s) x {gpus} GPU(s) need {gpus * spec.replicas} GPUs; "
            f"the Ray cluster has {cluster_gpus:g} ({spec.source}: replicas, --tensor-parallel-size)"
        )
    return gpus


@contextlib.asynccontextmanager
async def served_on_ray(spec: ModelSpec) -> AsyncIterator[Served]:
    """`spec.replicas` copies of the checkpoint's server, each in its own actor, for the block."""
    gpus = gpus_per_replica(spec)
    actors = [VllmReplica.options(num_gpus=gpus, scheduling_strategy="SPREAD").remote(spec, i)
              for i in range(spec.replicas)]  # fmt: skip
    try:
        replicas = await _started(spec, actors, gpus)
        first = replicas[0]
        client = ChatClient(spec, base_url=first.base_url, model=first.served_name, identity=first.identity)
        try:
            yield Served(client, tuple(r.base_url for r in replicas))
        finally:
            await client.aclose()
    finally:
        await asyncio.gather(*(actor.stop.remote() for actor in actors), return_exceptions=True)
        for actor in actors:
            ray.kill(actor)


async def _started(spec: ModelSpec, actors: list, gpus: int) -> list[Replica]:
    what = f"starting {len(actors)} vLLM replica(s) of {spec.name} in Ray actors ({gpus} GPU(s) each)"
    with waiting(what) as wait:
        starting = asyncio.gather(*(actor.start.remote() for actor in actors))
        while not starting.done():
            await asyncio.wait([starting], timeout=2.0)
            with contextlib.suppress(ray.exceptions.RayError):
                wait.update(await actors[0].progress.remote())
        try:
            replicas = starting.result()
        except ray.exceptions.RayTaskError as e:  # the actor's own error, without Ray's wrapping
            cause = e.cause if isinstance(e.cause, ModelError) else ServeError(f"{spec.name}: {e.cause}")
            raise cause from None
    hashes = {r.identity.weights_hash for r in replicas}
    if len(hashes) > 1:
        raise ServeError(
            f"{spec.name}: its replicas' nodes hold different weights ({', '.join(sorted(hashes))})"
        )
    return replicas
