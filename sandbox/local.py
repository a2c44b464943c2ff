"""Local-process backend: a private temp workspace, an empty environment, process-group kill."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path

from codefront.sandbox.base import ExecResult, PythonServer
from codefront.sandbox.forkserver import ForkServer
from codefront.sandbox.processes import SYSTEM_PATH, clean_env, kill_group, python_bin_dir, read_capped


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


class LocalBackend:
    name = "local"

    async def open(self) -> LocalSandbox:
        return LocalSandbox()

    def fork_server(self, preload: str) -> PythonServer:
        return ForkServer(preload)
