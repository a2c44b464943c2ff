"""A command from its configuration class: a flag (or argument) per setting, `--config FILE`,
`-c key=value` and `--print-config`, and one place that turns bad input into a one-line error."""

from __future__ import annotations

import inspect
import sys
import typing
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console

from codefront.harness.config import Setting, load_config, settings_of, to_yaml
from codefront.harness.models.errors import ModelError
from codefront.sandbox import SandboxError

C = TypeVar("C")
USER_ERRORS = (OSError, ValueError, ModelError, SandboxError)
"""What bad input or a missing service raises (files, values, model names, the Docker engine): a
one-line error and exit status 2."""
METAVARS = {int: "INT", float: "NUMBER", str: "TEXT", Path: "PATH", date: "YYYY-MM-DD", bool: ""}
err_console = Console(stderr=True, soft_wrap=True)
COMMON = (
    inspect.Parameter("config_file", inspect.Parameter.KEYWORD_ONLY, annotation=Path | None,
                      default=typer.Option(None, "--config", metavar="FILE", rich_help_panel="Configuration",
                                           help="A YAML file of these settings (keys as in -c; "
                                                "or a section named after the command).")),
    inspect.Parameter("overrides", inspect.Parameter.KEYWORD_ONLY, annotation=list[str] | None,
                      default=typer.Option(None, "-c", "--set", metavar="KEY=VALUE", rich_help_panel="Configuration",
                                           help="Set any setting by its key (budgets.max_steps=4), "
                                                "over the file; repeatable.")),
    inspect.Parameter("print_config", inspect.Parameter.KEYWORD_ONLY, annotation=bool,
                      default=typer.Option(False, "--print-config", rich_help_panel="Configuration",
                                           help="Print the resolved settings as YAML and exit.")),
)  # fmt: skip


def fail(message: str) -> typer.Exit:
    """Print a one-line error and return the exit to raise."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(2)


def command(app: typer.Typer, name: str, config_class: type[C]) -> Callable[[Callable[[C], None]], Any]:
    """Register the decorated `body(config)` as `harness NAME`, its options made from `config_class`."""
    settings = settings_of(config_class)

    def register(body: Callable[[C], None]) -> Callable[[C], None]:
        def entry(
            config_file: Path | None, overrides: list[str] | None, print_config: bool, **given: Any
        ) -> None:
            flags = {s.path: given[s.name] for s in settings if given.get(s.name) not in (None, [])}
            try:
                config = load_config(config_class, name, config_file, overrides or (), flags)
                if print_config:
                    sys.stdout.write(to_yaml(config))
                    return
                body(config)
            except USER_ERRORS as e:
                raise fail(str(e)) from None

        parameters = [_parameter(s) for s in settings if s.flag or s.argument]
        entry.__signature__ = inspect.Signature([*COMMON, *parameters])  # type: ignore[attr-defined]
        entry.__doc__ = body.__doc__
        app.command(name)(entry)
        return body

    return register


def _parameter(setting: Setting) -> inspect.Parameter:
    kind = _scalar(setting.annotation)
    shown = not setting.required and setting.default not in (None, ())
    help_text = setting.doc + (f" (default: {_shown(setting.default)})" if shown else "")
    help_text += " (required)" if setting.required else ""
    panel = setting.path.rpartition(".")[0].replace("_", " ").capitalize() or None
    if setting.argument:
        option = typer.Argument(None, help=help_text, metavar=setting.path.upper(), show_default=False)
    elif kind is bool:
        flag = setting.flag or ""
        option = typer.Option(None, f"{flag}/--no-{flag.removeprefix('--')}", help=help_text,
                              show_default=False, rich_help_panel=panel)  # fmt: skip
    else:
        metavar = setting.metavar or _metavar(setting.annotation, kind)
        option = typer.Option(None, setting.flag, help=help_text, metavar=metavar, show_default=False,
                              rich_help_panel=panel)  # fmt: skip
    annotation: Any = bool | None if kind is bool and not setting.argument else str | None
    if _fixed_pair(setting.annotation):
        annotation = tuple[str, str] | None
    elif typing.get_origin(_plain(setting.annotation)) is tuple:
        annotation = list[str] | None
    return inspect.Parameter(
        setting.name, inspect.Parameter.KEYWORD_ONLY, default=option, annotation=annotation
    )


def _plain(annotation: Any) -> Any:
    """`X | None` as X."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    return args[0] if typing.get_origin(annotation) in (typing.Union, type(int | None)) else annotation


def _scalar(annotation: Any) -> Any:
    plain = _plain(annotation)
    if typing.get_origin(plain) is tuple:
        return typing.get_args(plain)[0]
    return plain


def _fixed_pair(annotation: Any) -> bool:
    args = typing.get_args(_plain(annotation))
    return typing.get_origin(_plain(annotation)) is tuple and len(args) == 2 and args[1] is not Ellipsis


def _metavar(annotation: Any, kind: Any) -> str:
    plain = _plain(annotation)
    if typing.get_origin(plain) is typing.Literal:
        return "|".join(map(str, typing.get_args(plain)))
    if typing.get_origin(plain) is tuple and not _fixed_pair(annotation):
        return f"{METAVARS.get(kind, 'TEXT')},..."
    return METAVARS.get(kind, "TEXT")


def _shown(default: Any) -> str:
    return ",".join(map(str, default)) if isinstance(default, tuple) else str(default)
