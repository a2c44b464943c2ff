"""How tool calls travel between the model and the harness: native OpenAI tool calls, or plain text.

The text protocol is for models served without a tool-call parser (the embedded SmolLM2-135M). A
reply calls a tool by writing a fenced block tagged with the tool's name; the fence line may carry
the path, and the body is the main argument:

    ```write_file solution.py
    print(sum(map(int, input().split())))
    ```

    ```python-exec          (tool use: the `python` tool; the body is the code)
    ```shell                (the body is the command line)
    ```read_file PATH       (empty body)
    ```edit_file PATH       (the body: the old text, a line `=======`, the new text)
    ```run_public_tests     (empty body; `submit` likewise)

Fences open and close at the start of a line. Every such block in a reply runs, in order, and the
harness answers with one user message holding each output. Blocks with other tags (```python) are
ordinary text: the tool-use mode takes its final answer from them.
"""

from __future__ import annotations

import json
import re
from typing import Any

from codefront.records import Call
from codefront.tools.base import Tool, Toolbox, ToolResult

BLOCK = re.compile(r"^```([A-Za-z][\w-]*)[ \t]*([^\n]*)\n(.*?)^```", re.DOTALL | re.MULTILINE)
SEPARATOR = re.compile(r"^=======\n", re.MULTILINE)


class Native:
    def __init__(self, toolbox: Toolbox) -> None:
        self.toolbox = toolbox

    def tools(self) -> list[dict] | None:
        return self.toolbox.specs()

    def guide(self) -> str:
        return "Call the tools through the function-calling interface."

    def calls(self, completion: Any) -> list[Call]:
        return [Call(c.id, c.name, c.arguments_json) for c in completion.tool_calls]

    def assistant(self, completion: Any) -> dict:
        message: dict = {"role": "assistant", "content": completion.text}
        if completion.tool_calls:
            message["tool_calls"] = [
                {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments_json}}
                for c in completion.tool_calls
            ]
        return message

    def results(self, done: list[tuple[Call, ToolResult]]) -> list[dict]:
        return [{"role": "tool", "tool_call_id": call.id, "content": result.text} for call, result in done]


class Text(Native):
    def tools(self) -> list[dict] | None:
        return None

    def guide(self) -> str:
        forms = "\n\n".join(f"{tool.description}\n{example(tool)}" for tool in self.toolbox.tools.values())
        return (
            "To use a tool, write a fenced block tagged with its name, exactly as below (fences start "
            "at the beginning of a line). Every such block in your reply runs in order, then you get "
            f"the outputs.\n\n{forms}"
        )

    def calls(self, completion: Any) -> list[Call]:
        by_tag = {tool.fence_tag: tool for tool in self.toolbox.tools.values()}
        return [
            Call(f"text-{i}", by_tag[tag].name, arguments(by_tag[tag], head.strip(), body))
            for i, (tag, head, body) in enumerate(BLOCK.findall(completion.text))
            if tag in by_tag
        ]

    def assistant(self, completion: Any) -> dict:
        return {"role": "assistant", "content": completion.text}

    def results(self, done: list[tuple[Call, ToolResult]]) -> list[dict]:
        parts = [f"Output of {call.name}:\n```text\n{result.text.rstrip()}\n```" for call, result in done]
        return [{"role": "user", "content": "\n\n".join(parts)}]


def arguments(tool: Tool, head: str, body: str) -> dict:
    """A fenced block's arguments; what is missing is reported by the toolbox's checks."""
    args: dict = {tool.head: head} if tool.head and head else {}
    if isinstance(tool.body, tuple):
        parts = SEPARATOR.split(body, maxsplit=1)
        args |= dict(zip(tool.body, parts, strict=False))
    elif tool.body:
        args[tool.body] = body
    return args


def example(tool: Tool) -> str:
    head = f" <{tool.head}>" if tool.head else ""
    if isinstance(tool.body, tuple):
        body = f"<{tool.body[0]}>\n=======\n<{tool.body[1]}>\n"
    else:
        body = f"<{tool.body}>\n" if tool.body else ""
    return f"```{tool.fence_tag}{head}\n{body}```"


PROTOCOLS = {"native": Native, "text": Text}


def protocol_for(name: str, toolbox: Toolbox) -> Native:
    if name not in PROTOCOLS:
        raise ValueError(f"unknown tool protocol {name!r}: choose one of {', '.join(PROTOCOLS)}")
    return PROTOCOLS[name](toolbox)


def protocol_texts(name: str, tools: list[Tool]) -> list[str]:
    """What the protocol adds to a mode's prompts: its guide, the tool schemas (native) and the
    framing of results, for a mode's `prompt_texts`."""
    protocol = protocol_for(name, Toolbox(tools, output_chars=0))
    framed = protocol.results([(Call("call-0", tool.name, {}), ToolResult("OUTPUT")) for tool in tools])
    return [protocol.guide(), json.dumps(protocol.tools()), json.dumps(framed)]
