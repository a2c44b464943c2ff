"""`harness show`: one stored sample's trajectory, readable."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console, Group
from rich.panel import Panel
from rich.rule import Rule
from rich.syntax import Syntax
from rich.text import Text

from codefront.harness.records import End, Message, ModelReply, Sample, Step, ToolRun
from codefront.harness.run import DEFAULT_DB
from codefront.harness.store import Store, StoreError

STYLES = {"system": "dim", "user": "cyan"}


def show_command(
    run_or_model: Annotated[str, typer.Argument(help="A run id or a model name.")],
    problem: Annotated[str, typer.Argument(help="Problem id.")],
    sample: Annotated[int, typer.Argument(help="Sample index.")] = 0,
    db: Annotated[Path, typer.Option(help="SQLite results store.")] = DEFAULT_DB,
) -> None:
    """Print one sample's trajectory: messages, tool calls and results, timings, the judged code."""
    if not db.exists():
        raise _fail(f"no results store at {db}")
    try:
        with Store(db) as store:
            found = [
                s for s in store.samples(problem=problem, index=sample) if run_or_model in (s.run_id, s.model)
            ]
    except StoreError as e:
        raise _fail(str(e)) from None
    if not found:
        raise _fail(f"no sample {sample} of {problem!r} for a run or model named {run_or_model!r} in {db}")
    console = Console()
    for s in found:
        console.print(render(s))


def _fail(message: str) -> typer.Exit:
    Console(stderr=True, soft_wrap=True).print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(2)


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
