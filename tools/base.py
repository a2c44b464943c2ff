"""What a tool is, and calling one on the model's behalf: every mistake becomes a message to the model."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

JSON_TYPES = {"string": str, "integer": int, "number": (int, float), "boolean": bool}


class ToolError(Exception):
    """The model used a tool wrongly: the message goes back to it and the episode goes on."""


class Submitted(Exception):
    """The model called `submit`: the episode ends and the solution file is the answer."""


@dataclass(frozen=True)
class Param:
    type: str
    """A JSON schema type: string, integer, number or boolean."""
    description: str
    required: bool = True


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    params: dict[str, Param]
    run: Callable[..., Awaitable[str]]
    tag: str = ""
    """The fence tag of the text protocol (default: the name)."""
    head: str | None = None
    """Text protocol: the parameter written on the fence line after the tag."""
    body: str | tuple[str, str] | None = None
    """Text protocol: the parameter that is the block's body, or two split by a `=======` line."""

    @property
    def fence_tag(self) -> str:
        return self.tag or self.name

    def spec(self) -> dict:
        """The OpenAI function schema."""
        properties = {name: {"type": p.type, "description": p.description} for name, p in self.params.items()}
        required = [name for name, p in self.params.items() if p.required]
        parameters = {"type": "object", "properties": properties, "required": required}
        return {"type": "function", "function": {"name": self.name, "description": self.description,
                                                 "parameters": parameters}}  # fmt: skip


@dataclass(frozen=True)
class ToolResult:
    text: str
    error: bool = False


def cap(text: str, limit: int) -> str:
    """At most about `limit` characters: the head and the tail, where errors usually are."""
    if len(text) <= limit:
        return text
    head = limit * 2 // 3
    tail = limit - head
    return f"{text[:head]}\n[... {len(text) - limit} characters cut ...]\n{text[-tail:]}"


class Toolbox:
    def __init__(self, tools: Iterable[Tool], output_chars: int) -> None:
        self.tools = {tool.name: tool for tool in tools}
        self.output_chars = output_chars

    def specs(self) -> list[dict]:
        return [tool.spec() for tool in self.tools.values()]

    async def call(self, name: str, arguments: str | dict) -> ToolResult:
        """Run a tool; `arguments` is the model's JSON text (native calls) or a parsed dict (text protocol).
        Only `Submitted` and infrastructure failures escape."""
        try:
            tool = self.tools.get(name)
            if tool is None:
                raise ToolError(f"unknown tool {name!r}: the tools are {', '.join(self.tools)}")
            text = await tool.run(**checked(tool, arguments))
        except ToolError as e:
            return ToolResult(cap(f"error: {e}", self.output_chars), error=True)
        return ToolResult(cap(text, self.output_chars))


def checked(tool: Tool, arguments: str | dict) -> dict:
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments or "{}")
        except json.JSONDecodeError as e:
            raise ToolError(f"{tool.name}: the arguments are not valid JSON ({e})") from None
    if not isinstance(arguments, dict):
        raise ToolError(f"{tool.name}: the arguments must be a JSON object")
    unknown = sorted(set(arguments) - set(tool.params))
    missing = [n for n, p in tool.params.items() if p.required and n not in arguments]
    if unknown or missing:
        problems = [
            f"unknown {', '.join(unknown)}" if unknown else "",
            f"missing {', '.join(missing)}" if missing else "",
        ]
        raise ToolError(
            f"{tool.name}: {'; '.join(filter(None, problems))} (parameters: {', '.join(tool.params)})"
        )
    for name, value in arguments.items():
        expected = JSON_TYPES[tool.params[name].type]
        if not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool):
            raise ToolError(f"{tool.name}: {name} must be a {tool.params[name].type}")
    return arguments
