"""Runners forked from warm interpreters, where the backend keeps them (the local one).

A runner started afresh spends ~50 ms of CPU before its first test: the interpreter, the runner's
modules and, for functional problems, LiveCodeBench's prelude. Forked from a server that has done
all that once, it starts in a few. One server per kind of job: a stdin runner stays lean, because
every test process is forked from it and a bigger heap costs more per fork.
"""

from __future__ import annotations

import logging

from codefront.harness.judge.program import RUNNER_ENTRY, warm_preload
from codefront.harness.judge.runner.wire import JudgeJob
from codefront.sandbox.base import ExecResult, Preloading, PythonServer, SandboxError

log = logging.getLogger(__name__)


class WarmRunners:
    def __init__(self, backend: Preloading) -> None:
        self.backend = backend
        self.servers: dict[bool, PythonServer] = {}
        """By whether the job is functional."""
        self.proven: set[bool] = set()
        """Kinds whose server has run a job: one that fails later is replaced."""
        self.given_up: set[bool] = set()
        """Kinds whose first server failed before running anything: they start afresh from then on."""

    async def run(self, job: JudgeJob, output_limit: int) -> ExecResult | None:
        """The runner's result on `job`, or None where no server could run it (the caller then
        starts a runner the usual way; a server that has ended is replaced at the next job)."""
        functional = job.test_type == "functional"
        if functional in self.given_up:
            return None
        server = self.servers.get(functional)
        try:
            if server is None:
                server = self.servers[functional] = self.backend.fork_server(warm_preload(functional))
            result = await server.exec(RUNNER_ENTRY, job.encode(), job.runner_timeout(), output_limit)
        except (SandboxError, OSError) as e:
            self._failed(functional, server, e)
            return None
        self.proven.add(functional)
        return result

    def _failed(self, functional: bool, server: PythonServer | None, error: Exception) -> None:
        if functional not in self.proven:
            self.given_up.add(functional)
            log.warning("judge: no warm runner (%s); runners start afresh", error)
        else:
            log.warning("judge: a warm runner failed (%s); this runner starts afresh", error)
        # Only a server that has ended (or never worked) is closed: closing a live one would end
        # the runners it is serving (their referees' parent-death signal), not just this one.
        retire = functional in self.given_up or (server is not None and not server.alive())
        if server is not None and retire and self.servers.get(functional) is server:
            del self.servers[functional]
            server.close()

    def close(self) -> None:
        for server in self.servers.values():
            server.close()
        self.servers.clear()


def warm_runners(backend: object) -> WarmRunners | None:
    """Warm runners where the backend keeps warm interpreters, else None."""
    return WarmRunners(backend) if isinstance(backend, Preloading) else None
