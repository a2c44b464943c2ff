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

from codefront.harness.records import Sample
from codefront.harness.run import DEFAULT_DB
from codefront.harness.store import Store

STYLES = {"system": "dim", "user": "cyan", "assistant": "green", "tool": "yellow"}


def show_command(
    run_or_model: Annotated[str, typer.Argument(help="A run id or a model name.")],
    problem: Annotated[str, typer.Argument(help="Problem id.")],
    sample: Annotated[int, typer.Argument(help="Sample index.")] = 0,
    db: Annotated[Path, typer.Option(help="SQLite results store.")] = DEFAULT_DB,
) -> None:
    """Print one sample's trajectory: messages, tool calls and results, timings, the judged code."""
    console = Console()
    if not db.exists():
        Console(stderr=True).print(f"[bold red]error:[/] no results store at {db}", highlight=False)
        raise typer.Exit(2)
    with Store(db) as store:
        found = [s for s in store.samples() if run_or_model in (s.run_id, s.model)]
    found = [s for s in found if s.problem == problem and s.index == sample]
    if not found:
        Console(stderr=True).print(
            f"[bold red]error:[/] no sample {sample} of {problem!r} for a run or model named {run_or_model!r} in {db}",
            highlight=False,
        )
        raise typer.Exit(2)
    for s in found:
        console.print(render(s))


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
    entries = a.trajectory or (
        {"role": "user", "content": a.prompt, "t_start": 0.0, "duration_s": 0.0},
        {"role": "assistant", "content": a.completion, "t_start": 0.0, "duration_s": a.latency_s},
    )
    parts += [entry_view(e) for e in entries]
    if a.code:
        parts.append(Panel(Syntax(a.code, "python", line_numbers=True), title="judged code"))
    else:
        parts.append(Text(f"no code: {a.no_code_reason}", style="red"))
    if r and r.detail:
        parts.append(Text(f"judge: {r.detail}"))
    return Group(*parts)


def entry_view(e: dict):
    when = f"t={e['t_start']:.1f}s · {e['duration_s']:.2f}s"
    role = e["role"]
    if role == "end":
        return Rule(f"episode ended: {e['content']} (t={e['t_start']:.1f}s)")
    if role == "tool":
        title = f"{'✗ ' if e['error'] else ''}tool {e['name']} · {when}"
        args = arguments_view(e["arguments"])
        body = Group(*args, *([Rule(style="dim")] if args else []), Text(e["result"]))
        return Panel(body, title=title, title_align="left", border_style="red" if e["error"] else "yellow")
    title = f"{role} · {when}"
    if role == "assistant":
        title += f" · {e.get('completion_tokens', 0)} tokens · {e.get('finish_reason') or '-'}"
    body = [Text(e["content"])] if e["content"] else []
    body += [Text(f"→ {c['name']}", style="bold yellow") for c in e.get("tool_calls") or ()]
    return Panel(Group(*body), title=title, title_align="left", border_style=STYLES.get(role, "white"))


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
