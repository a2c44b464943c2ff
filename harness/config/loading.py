"""A command's configuration from its layers: the class's defaults, a YAML file (`--config`), then
`-c key=value` overrides, then flags. A setting given both by `-c` and by its flag is an error."""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Mapping, Sequence
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

import yaml

from codefront.harness.config.schema import is_section, settings_of, type_hints
from codefront.harness.config.values import ConfigError, coerce

C = TypeVar("C")


def load_config(
    cls: type[C],
    command: str,
    file: Path | None = None,
    overrides: Sequence[str] = (),
    flags: Mapping[str, Any] | None = None,
) -> C:
    """`flags` maps setting paths to the values given on the command line (only those given)."""
    data = read_file(file, command) if file is not None else {}
    origins = {path: f"{file}: {path}" for path in _paths(data)}
    by_override: dict[str, str] = {}
    for text in overrides:
        path, value = _override(text)
        _put(data, path, value, f"-c {text}")
        origins[path] = by_override[path] = f"-c {text}"
    flag_of = {s.path: s.given_as() for s in settings_of(cls)}
    for path, value in (flags or {}).items():
        if path in by_override:
            raise ConfigError(f"{path} is given twice: {by_override[path]} and {flag_of[path]}")
        _put(data, path, value, flag_of[path])
        origins[path] = flag_of[path]
    return build(cls, data, origins)


def read_file(path: Path, command: str) -> dict:
    """The file's mapping; where its top level has a section named after the command, that section."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as e:
        raise ConfigError(f"{path}: not valid YAML ({str(e).splitlines()[0]})") from None
    if isinstance(data, dict) and isinstance(data.get(command), dict):
        data = data[command]
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a configuration file is a mapping of settings")
    return data


def build(cls: type[C], data: Mapping[str, Any], origins: Mapping[str, str], prefix: str = "") -> C:
    """An instance of `cls` from `data`; ConfigError naming the first setting that does not fit."""
    hints = type_hints(cls)
    known = {f.name: f for f in dataclasses.fields(cls) if f.init}
    unknown = [key for key in data if key not in known]
    if unknown:
        close = difflib.get_close_matches(str(unknown[0]), known, n=1)
        hint = f"did you mean {prefix}{close[0]}? " if close else ""
        raise ConfigError(f"{_origin(origins, prefix + str(unknown[0]))}: unknown setting '{prefix}{unknown[0]}' "
                          f"({hint}known: {', '.join(prefix + k for k in known)})")  # fmt: skip
    values: dict[str, Any] = {}
    for name, value in data.items():
        path = prefix + name
        if is_section(hints[name]):
            if not isinstance(value, Mapping):
                raise ConfigError(f"{_origin(origins, path)}: {path} is a section: give it a mapping")
            values[name] = build(hints[name], value, origins, path + ".")
        else:
            values[name] = coerce(value, hints[name], _origin(origins, path))
    missing = [f for name, f in known.items() if name not in values and _required(f)]
    if missing:
        names = {s.path: s.given_as() for s in settings_of(cls, prefix)}
        raise ConfigError(f"missing setting {prefix}{missing[0].name} ({names[prefix + missing[0].name]})")
    return cls(**values)


def to_yaml(config: Any) -> str:
    """A configuration as a file `--config` reads back."""
    return yaml.safe_dump(_plain(dataclasses.asdict(config)), sort_keys=False)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Path | date):
        return str(value)
    return value.value if isinstance(value, Enum) else value


def _override(text: str) -> tuple[str, Any]:
    path, sep, value = text.partition("=")
    if not sep or not path.strip():
        raise ConfigError(f"-c {text}: expected key=value (a dotted key such as budgets.max_steps)")
    if value.strip().startswith("{"):  # a whole section
        try:
            return path.strip(), yaml.safe_load(value)
        except yaml.YAMLError:
            raise ConfigError(f"-c {text}: not a YAML mapping") from None
    return path.strip(), value


def _put(data: dict, path: str, value: Any, origin: str) -> None:
    *sections, key = path.split(".")
    for section in sections:
        data = data.setdefault(section, {})
        if not isinstance(data, dict):
            raise ConfigError(f"{origin}: {section} is not a section")
    data[key] = value


def _paths(data: Mapping[str, Any], prefix: str = "") -> list[str]:
    found = []
    for key, value in data.items():
        found.append(prefix + str(key))
        if isinstance(value, Mapping):
            found += _paths(value, f"{prefix}{key}.")
    return found


def _origin(origins: Mapping[str, str], path: str) -> str:
    return origins.get(path, path)


def _required(field: dataclasses.Field) -> bool:
    return field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
