"""The `shell` tool: one shell command in the workspace, with a timeout and an output cap."""

from __future__ import annotations

from codefront.sandbox.base import Sandbox
from codefront.tools.base import Param, Tool


def shell_tool(sandbox: Sandbox, timeout_s: float, output_chars: int) -> Tool:
    async def shell(command: str) -> str:
        result = await sandbox.exec(["sh", "-c", command], timeout=timeout_s, output_limit=output_chars)
        parts = [f"exit status {result.returncode}"]
        if result.timed_out:
            parts = [f"timed out after {timeout_s:g} s (the command was killed)"]
        if result.truncated:
            parts.append(f"output cut at {output_chars} bytes")
        for name, text in (("stdout", result.stdout), ("stderr", result.stderr)):
            if text:
                parts.append(f"{name}:\n{text.rstrip()}")
        return "\n".join(parts)

    return Tool(
        "shell",
        f"Run a shell command (sh -c) in the workspace; it is killed after {timeout_s:g} s.",
        {"command": Param("string", "The command line, e.g. `python solution.py < tests/public/1.in`.")},
        shell,
        body="command",
    )
