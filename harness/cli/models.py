"""`harness models` (what each name points at, and whether it can be reached) and `harness serve`."""

from __future__ import annotations

import asyncio
import os
import signal
from dataclasses import dataclass, field

import httpx
from rich.console import Console
from rich.table import Table

from codefront.harness.models.embedded import find_gguf, smollm2_dir
from codefront.harness.models.errors import ModelError
from codefront.harness.models.registry import load_registry
from codefront.harness.models.serve import ServerInfo, running_servers, serving
from codefront.harness.models.spec import ModelSpec

console = Console()


@dataclass(frozen=True)
class ModelsConfig:
    probe_timeout_s: float = 3.0
    """Seconds to wait for an endpoint to answer."""


@dataclass(frozen=True)
class ServeConfig:
    name: str = field(metadata={"argument": True})
    """A model name from `harness models` (a local checkpoint)."""
    port: int | None = None
    """Port to listen on (default: a free one)."""


def models_command(config: ModelsConfig) -> None:
    """List every model name, where it points, and whether it is reachable now."""
    registry = load_registry()
    specs = list(registry)
    servers = running_servers()
    reach = asyncio.run(_probe_all(specs, servers, config.probe_timeout_s))
    table = Table(title=f"models ({', '.join(map(str, registry.files))})")
    for column in ("name", "kind", "where", "reachable"):
        table.add_column(column)
    for spec, (ok, detail) in zip(specs, reach, strict=True):
        mark = "[green]yes[/]" if ok else "[red]no[/]"
        table.add_row(spec.name, spec.kind, spec.where, f"{mark} {detail}")
    console.print(table)


async def _probe_all(
    specs: list[ModelSpec], servers: list[ServerInfo], timeout_s: float
) -> list[tuple[bool, str]]:
    async with httpx.AsyncClient(timeout=timeout_s) as http:
        return await asyncio.gather(*(_probe(spec, servers, http) for spec in specs))


async def _probe(spec: ModelSpec, servers: list[ServerInfo], http: httpx.AsyncClient) -> tuple[bool, str]:
    if spec.api_key_env and not os.environ.get(spec.api_key_env):
        return False, f"${spec.api_key_env} is not set"
    if spec.kind == "litellm":
        return True, f"${spec.api_key_env} set" if spec.api_key_env else "no key needed"
    if spec.kind == "endpoint":
        return await _probe_endpoint(spec, http)
    return _probe_checkpoint(spec, servers)


async def _probe_endpoint(spec: ModelSpec, http: httpx.AsyncClient) -> tuple[bool, str]:
    key = spec.api_key()
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    try:
        reply = await http.get(f"{spec.where}/models", headers=headers)
        reply.raise_for_status()
        ids = [m.get("id") for m in reply.json().get("data") or []]
    except (httpx.HTTPError, ValueError, AttributeError) as e:
        return False, f"{spec.where}/models: {type(e).__name__}"
    return (True, "serves it") if spec.model in ids else (False, f"up, but serves {', '.join(map(str, ids))}")


def _probe_checkpoint(spec: ModelSpec, servers: list[ServerInfo]) -> tuple[bool, str]:
    served = next((s for s in servers if s.served_name == spec.name), None)
    suffix = f", served at {served.base_url} (pid {served.pid})" if served else ""
    if spec.is_embedded:
        if (smollm2_dir() / "config.json").is_file():
            return True, f"converted{suffix}"
        try:
            find_gguf()
        except ModelError as e:
            return False, str(e)
        return True, "converted from its GGUF on first use"
    try:
        spec.checkpoint_dir()
    except ModelError:
        return False, "checkpoint directory missing or has no config.json"
    return True, f"checkpoint present{suffix}"


def serve_command(config: ServeConfig) -> None:
    """Serve a local checkpoint with vLLM on 127.0.0.1 until Ctrl-C."""
    spec = load_registry().get(config.name)
    if spec.kind != "checkpoint":
        raise ValueError(
            f"{config.name} is a {spec.kind} model at {spec.where}: there is nothing to serve locally"
        )
    asyncio.run(_serve_until_interrupted(spec, config.port))


async def _serve_until_interrupted(spec: ModelSpec, port: int | None) -> None:
    # SIGINT and SIGTERM cancel the task, which stops the server on the way out, even mid-start.
    # Installed explicitly because a shell starts background jobs with SIGINT ignored.
    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, task.cancel)
    console.print(f"looking for a running server for {spec.name}, else starting one (about a minute on CPU)")
    try:
        async with serving(spec, port=port) as server:
            if server.reused:
                console.print(
                    f"{spec.name} is already served at {server.base_url} (pid {server.pid}); leaving it up"
                )
                return
            console.print(
                f"serving {spec.name} at {server.base_url} (pid {server.pid}, log {server.log_path}); Ctrl-C stops it"
            )
            await asyncio.Event().wait()
    except asyncio.CancelledError:
        console.print(f"stopped {spec.name}")
