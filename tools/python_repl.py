"""The `python` tool: a Python session in the sandbox whose variables persist from call to call.

Each call runs under a time limit (a timeout interrupts the cell and keeps the variables; a cell
that will not stop is killed with its session), the session under a memory limit, and its output
is capped. A session that died is started afresh on the next call, and the model is told.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from codefront.sandbox.base import PYTHON, Sandbox, SandboxError
from codefront.tools.base import Param, Tool

SERVER = Path(__file__).with_name("repl_server.py")
STATE = ".codefront/repl"
SCRIPT = ".codefront/repl_server.py"
SPAWN_SLACK_S = 10.0


@dataclass(frozen=True)
class ReplLimits:
    timeout_s: float = 10.0
    memory_mb: int = 1024
    output_chars: int = 4000


class PythonRepl:
    def __init__(self, sandbox: Sandbox, limits: ReplLimits = ReplLimits()) -> None:
        self.sandbox, self.limits = sandbox, limits
        self.running = False

    async def _script(
        self, command: str, *args: str, input: str | None = None, timeout: float = SPAWN_SLACK_S
    ) -> str:
        """The last stdout line of one `repl_server.py` command ("" when it printed nothing)."""
        cmd = [*PYTHON, SCRIPT, command, STATE, *args]
        result = await self.sandbox.exec(cmd, input=input, timeout=timeout)
        lines = result.stdout.strip().splitlines()
        return lines[-1] if lines and not result.timed_out else ""

    async def start(self) -> None:
        await self.sandbox.write_file(SCRIPT, SERVER.read_text())
        line = await self._script("start", str(self.limits.memory_mb))
        if "pid" not in (json.loads(line) if line else {}):
            raise SandboxError(f"the Python session did not start: {line or 'no answer'}")
        self.running = True

    async def run(self, code: str, reset: bool = False) -> str:
        if reset:
            await self.close()
        if not self.running:
            await self.start()
        request = {"code": code, "timeout": self.limits.timeout_s, "output_chars": self.limits.output_chars}
        # The server interrupts the cell at the timeout and kills itself soon after: this is the backstop.
        line = await self._script(
            "call", input=json.dumps(request), timeout=self.limits.timeout_s + SPAWN_SLACK_S
        )
        response = json.loads(line) if line else {"dead": "the session did not answer"}
        if "dead" in response:
            await self.close()
            return f"{response['dead']}: the next call starts a fresh session (all variables are lost)"
        return response["output"] or "(no output)"

    async def close(self) -> None:
        """Kill the session and whatever it started."""
        if self.running:
            self.running = False
            await self._script("stop")


def python_tool(repl: PythonRepl) -> Tool:
    return Tool(
        name="python",
        description=(
            "Run Python code in a persistent session (like a notebook: variables, imports and "
            "functions stay defined between calls; the value of a final expression is printed). "
            f"Each call may run {repl.limits.timeout_s:g} s; output is capped. Pass reset=true to "
            "start from an empty session."
        ),
        params={
            "code": Param("string", "The Python code to run."),
            "reset": Param(
                "boolean", "Start a fresh, empty session before running the code.", required=False
            ),
        },
        run=repl.run,
        tag="python-exec",
        body="code",
    )
