"""One stored sample rendered for the terminal (`harness show`): its verdict, every message, tool
call and result with timings, and the judged code."""

from __future__ import annotations

import json

from rich.console import Group
from rich.panel import Panel
from rich.rule import Rule
from rich.syntax import Syntax
from rich.text import Text

from codefront.records import End, Message, ModelReply, Sample, Step, ToolRun

STYLES = {"system": "dim", "user": "cyan"}


def render(s: Sample) -> Group:
    a, r = s.attempt, s.result
    verdict = (
        f"{r.verdict} ({r.outcome}), coverage {r.coverage}/{r.levels}"
        if r
        else f"infra error: {a.infra_error}"
    )
    head = Text.assemble(
        (f"{s.model} · {s.mode} · run {s.run_id} · {s.problem} #{s.index}\n", "bold"),
        f"{verdict}\nended: {a.finish_reason or '-'} · {a.prompt_tokens} prompt + {a.completion_tokens} "
        f"completion tokens · {a.latency_s:.1f} s",
    )
    parts: list = [Panel(head)]
    steps = a.trajectory or (
        Message(role="user", content=a.prompt, t_start=0.0, duration_s=0.0),
        ModelReply(content=a.completion, finish_reason=a.finish_reason,
                   completion_tokens=a.completion_tokens, t_start=0.0, duration_s=a.latency_s),
    )  # fmt: skip
    parts += [step_view(step) for step in steps]
    if a.code:
        parts.append(Panel(Syntax(a.code, "python", line_numbers=True), title="judged code"))
    else:
        parts.append(Text(f"no code: {a.no_code_reason}", style="red"))
    if r and r.detail:
        parts.append(Text(f"judge: {r.detail}"))
    return Group(*parts)


def step_view(step: Step) -> Rule | Panel:
    when = f"t={step.t_start:.1f}s · {step.duration_s:.2f}s"
    match step:
        case End():
            return Rule(f"episode ended: {step.reason} (t={step.t_start:.1f}s)")
        case ToolRun():
            title = f"{'✗ ' if step.error else ''}tool {step.name} · {when}"
            args = arguments_view(step.arguments)
            body = Group(*args, *([Rule(style="dim")] if args else []), Text(step.result))
            return Panel(
                body, title=title, title_align="left", border_style="red" if step.error else "yellow"
            )
        case ModelReply():
            title = f"assistant · {when} · {step.completion_tokens} tokens · {step.finish_reason or '-'}"
            lines = [Text(step.content)] if step.content else []
            lines += [Text(f"→ {call.name}", style="bold yellow") for call in step.tool_calls]
            return Panel(Group(*lines), title=title, title_align="left", border_style="green")
        case Message():
            body = Text(step.content)
            return Panel(
                body, title=f"{step.role} · {when}", title_align="left", border_style=STYLES[step.role]
            )
    raise TypeError(f"not a trajectory step: {step!r}")


def arguments_view(arguments: str | dict) -> list[Text]:
    """One line per argument; multi-line values (code, file contents) as blocks."""
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments or "{}")
        except json.JSONDecodeError:
            return [Text(f"(not JSON) {arguments}", style="red")]
    if not isinstance(arguments, dict):
        return [Text(json.dumps(arguments), style="red")]
    lines = []
    for name, value in arguments.items():
        if isinstance(value, str) and "\n" in value.strip("\n"):
            lines += [Text(f"{name}:", style="bold"), Text(value.rstrip("\n"), style="cyan")]
        else:
            lines.append(Text.assemble((f"{name}: ", "bold"), (json.dumps(value), "cyan")))
    return lines
