"""A configuration class's settings, read off its fields: path, type, default, documentation, flag."""

from __future__ import annotations

import ast
import dataclasses
import functools
import inspect
import textwrap
import typing
from dataclasses import MISSING, dataclass
from typing import Any

UNIT_SUFFIXES = ("_s", "_mb", "_bytes")
"""Units stay in a field's name and leave its flag: `time_limit_s` is `--time-limit`."""


@dataclass(frozen=True)
class Setting:
    path: str
    """Dotted from the command's class: `budgets.max_steps`."""
    annotation: Any
    default: Any
    """MISSING where the setting must be given."""
    doc: str
    flag: str | None
    """`--max-steps`; None where the setting has no flag."""
    argument: bool = False
    metavar: str | None = None
    """How the flag's value is shown in help (default: from its type)."""

    @property
    def required(self) -> bool:
        return self.default is MISSING

    @property
    def name(self) -> str:
        """As a Python identifier (a parameter of the command's function)."""
        return self.path.replace(".", "__")

    def given_as(self) -> str:
        """How a user names it: its flag, its argument, or its key."""
        if self.argument:
            return self.path.upper()
        return self.flag or f"-c {self.path}=..."


def default_flag(name: str) -> str:
    for suffix in UNIT_SUFFIXES:
        if name.endswith(suffix):
            name = name.removesuffix(suffix)
            break
    return "--" + name.replace("_", "-")


def is_section(annotation: Any) -> bool:
    return isinstance(annotation, type) and dataclasses.is_dataclass(annotation)


def type_hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def default_of(field: dataclasses.Field) -> Any:
    if field.default is not MISSING:
        return field.default
    if field.default_factory is not MISSING:
        return field.default_factory()
    return MISSING


def settings_of(cls: type, prefix: str = "", flags: dict[str, str | None] | None = None) -> list[Setting]:
    """Every setting of `cls`, sections flattened, in field order."""
    hints, docs = type_hints(cls), field_docs(cls)
    found: list[Setting] = []
    for field in dataclasses.fields(cls):
        if not field.init:
            continue
        annotation = hints[field.name]
        if is_section(annotation):
            found += settings_of(annotation, f"{prefix}{field.name}.", field.metadata.get("flags", {}))
            continue
        renamed = flags or {}
        flag = renamed.get(field.name, field.metadata.get("flag", default_flag(field.name)))
        argument = bool(field.metadata.get("argument"))
        doc = " ".join([docs.get(field.name, ""), *(f() for f in [field.metadata.get("help")] if f)]).strip()
        found.append(Setting(prefix + field.name, annotation, default_of(field), doc, None if argument else flag,
                             argument, field.metadata.get("metavar")))  # fmt: skip
    return found


@functools.cache
def field_docs(cls: type) -> dict[str, str]:
    """The docstring written under each field of `cls`, by field name."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    except (OSError, TypeError):  # no source (a class made at run time): no documentation
        return {}
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
    docs = {}
    for node, after in zip(body, body[1:], strict=False):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
        ):
            docs[node.target.id] = " ".join(inspect.cleandoc(after.value.value).split())
    return docs
