"""A setting's value as its type wants it, from YAML (typed) or from the command line (text).

Text is read by the setting's type, never guessed: a problem id `1873_1` stays text where YAML would
read an integer. Lists are comma-separated (`easy,hard`) or YAML flow lists (`[easy, hard]`);
`null` (or `none`) clears an optional setting.
"""

from __future__ import annotations

import types
import typing
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml

TRUE, FALSE = {"true", "yes", "on", "1"}, {"false", "no", "off", "0"}
NULL = {"null", "none", "~"}


class ConfigError(ValueError):
    """A setting that cannot be used as given; one line naming where it came from and what it needs."""


def coerce(value: Any, annotation: Any, where: str) -> Any:
    """`value` as `annotation` (str, int, float, bool, Path, date, Literal, tuples, `X | None`)."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        null = value is None or (isinstance(value, str) and value.strip().lower() in NULL)
        if null and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return coerce(value, inner, where)
    if origin is Literal:
        if value in args:
            return value
        raise ConfigError(f"{where}: choose one of {', '.join(map(str, args))}, got {value!r}")
    if origin is tuple:
        return _tuple(value, args, where)
    if annotation in SCALARS:
        return SCALARS[annotation](value, where)
    raise TypeError(f"{where}: settings of type {annotation!r} are not supported")


def items(value: Any, where: str) -> list[Any]:
    """A list from YAML, a repeated flag, a flow list (`[a, b]`) or comma-separated text."""
    if isinstance(value, str):
        if value.strip().startswith("["):
            try:
                value = yaml.safe_load(value)
            except yaml.YAMLError as e:
                raise ConfigError(f"{where}: not a list ({e.problem})") from None
        else:
            return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list | tuple):
        return [part for v in value for part in (items(v, where) if isinstance(v, str) else [v])]
    return [value]


def _tuple(value: Any, args: tuple, where: str) -> tuple:
    parts = items(value, where)
    if len(args) == 2 and args[1] is Ellipsis:
        return tuple(dict.fromkeys(coerce(part, args[0], where) for part in parts))
    if len(parts) != len(args):
        raise ConfigError(f"{where}: expected {len(args)} values, got {len(parts)}")
    return tuple(coerce(part, kind, where) for part, kind in zip(parts, args, strict=True))


def _bool(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE | FALSE:
        return value.strip().lower() in TRUE
    raise ConfigError(f"{where}: expected true or false, got {value!r}")


def _int(value: Any, where: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        raise ConfigError(f"{where}: expected an integer, got {value!r}") from None


def _float(value: Any, where: str) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        raise ConfigError(f"{where}: expected a number, got {value!r}") from None


def _str(value: Any, where: str) -> str:
    if isinstance(value, str | int | float | date) and not isinstance(value, bool):
        return value.isoformat() if isinstance(value, date) else str(value)
    raise ConfigError(f"{where}: expected text, got {value!r}")


def _date(value: Any, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ConfigError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


SCALARS = {
    bool: _bool,
    int: _int,
    float: _float,
    str: _str,
    Path: lambda value, where: Path(_str(value, where)).expanduser(),
    date: _date,
}
