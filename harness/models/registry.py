"""Model names, resolved from three layers of models.yaml files.

1. the shipped `models.yaml` beside this module;
2. one user file: `$CODEFRONT_MODELS` if set, else `./models.yaml`, else `~/.config/codefront/models.yaml`
   (the first that exists);
3. the managed `$CODEFRONT_HOME/registry.yaml`, written by `register_local_checkpoint` (merge, train).

A later layer's entry with a kind key (`checkpoint`, `base_url`, `litellm`) replaces the earlier entry
of that name; an entry with only settings (say `temperature: 0.7`) adjusts the earlier one.
"""

from __future__ import annotations

import contextlib
import difflib
import fcntl
import json
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from codefront.harness.models.errors import CheckpointMissingError, ModelConfigError, UnknownModelError
from codefront.harness.models.paths import codefront_home
from codefront.harness.models.spec import ModelSpec, parse_entry

SHIPPED_FILE = Path(__file__).with_name("models.yaml")
MANAGED_FILE_NAME = "registry.yaml"
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True)
class Registry:
    specs: Mapping[str, ModelSpec]
    files: tuple[Path, ...]
    """The files read, in layer order."""

    def get(self, name: str) -> ModelSpec:
        spec = self.specs.get(name)
        if spec is None:
            raise UnknownModelError(unknown_model_message(name, list(self.specs), self.files))
        return spec

    def names(self) -> list[str]:
        return list(self.specs)

    def __contains__(self, name: object) -> bool:
        return name in self.specs

    def __iter__(self) -> Iterator[ModelSpec]:
        return iter(self.specs.values())


MADE_BY = (
    (re.compile(r"cov(\d+|L)"), "a coverage-level checkpoint: `harness pipeline` trains cov1 and covL, "
                                "`harness train --coverage-level {c}` one level"),
    (re.compile(r"alpha(-?\d+(\.\d+)?|X)"), "a weight average: `harness pipeline` merges a grid of them, or "
                                            "`harness train` cov1 and covL, then `harness merge --low cov1 "
                                            "--high covL --alpha {a} --out DIR`"),
)  # fmt: skip
"""Names the pipeline's commands make and register, with the command that makes each."""


def unknown_model_message(name: str, known: list[str], files: tuple[Path, ...]) -> str:
    made = next(((pattern, how) for pattern, how in MADE_BY if pattern.fullmatch(name)), None)
    if made is not None:
        value = made[0].fullmatch(name).group(1)  # type: ignore[union-attr]
        how = made[1].format(c=value if value.isdigit() else "c", a=value)
        return (
            f"unknown model {name!r}: not made yet; it is {how} (known models: {', '.join(known) or 'none'})"
        )
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(close)}?" if close else f"known models: {', '.join(known) or 'none'}"
    return f"unknown model {name!r}: {hint} (define it in one of: {', '.join(map(str, files))})"


def user_file(cwd: Path | None = None) -> Path | None:
    """The user layer: `$CODEFRONT_MODELS` (which must exist), ./models.yaml, ~/.config/codefront/models.yaml."""
    named = os.environ.get("CODEFRONT_MODELS")
    if named:
        path = Path(named).expanduser()
        if not path.is_file():
            raise ModelConfigError(f"$CODEFRONT_MODELS names {path}, which does not exist")
        return path
    for path in ((cwd or Path.cwd()) / "models.yaml", Path("~/.config/codefront/models.yaml").expanduser()):
        if path.is_file():
            return path
    return None


def managed_file(home: Path | None = None) -> Path:
    return (home or codefront_home()) / MANAGED_FILE_NAME


def load_registry(home: Path | None = None, cwd: Path | None = None) -> Registry:
    """All three layers; `home` defaults to $CODEFRONT_HOME and `cwd` to the working directory."""
    files = [SHIPPED_FILE]
    user = user_file(cwd)
    if user is not None:
        files.append(user)
    managed = managed_file(home)
    if managed.is_file():
        files.append(managed)
    specs: dict[str, ModelSpec] = {}
    for path in files:
        for name, raw in read_models_file(path).items():
            specs[name] = parse_entry(name, raw, str(path), specs.get(name), path.parent)
    return Registry(specs=specs, files=tuple(files))


def read_models_file(path: Path) -> dict[str, Any]:
    """The `models:` mapping of one file, checked for shape (entries are checked by parse_entry)."""
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        raise ModelConfigError(f"{path}: invalid YAML{at}: {getattr(e, 'problem', None) or e}") from None
    except OSError as e:
        raise ModelConfigError(f"{path}: cannot read: {e.strerror}") from None
    if data is None:
        return {}
    if not isinstance(data, dict) or set(data) - {"models"}:
        raise ModelConfigError(f"{path}: expected one top-level key `models:` mapping names to entries")
    models = data.get("models") or {}
    if not isinstance(models, dict):
        raise ModelConfigError(f"{path}: `models` must be a mapping of names to entries")
    for name in models:
        if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
            raise ModelConfigError(f"{path}: models.{name}: names use letters, digits, '.', '_' and '-'")
    return models


def register_local_checkpoint(
    name: str,
    path: Path,
    provenance: dict,
    *,
    settings: Mapping[str, Any] | None = None,
    home: Path | None = None,
) -> None:
    """Make a local checkpoint addressable by `name` through the managed registry file.

    `provenance` is stored as given (it must be plain data); `settings` are sampling and tool settings
    (temperature, tool_protocol...) for the entry. Re-registering a name replaces it.
    """
    if not NAME_PATTERN.fullmatch(name):
        raise ModelConfigError(f"cannot register {name!r}: names use letters, digits, '.', '_' and '-'")
    path = Path(path).resolve()
    if not (path / "config.json").is_file():
        raise CheckpointMissingError(f"cannot register {name!r}: {path} is not a checkpoint (no config.json)")
    entry = {
        **(settings or {}),
        "checkpoint": str(path),
        "provenance": json.loads(json.dumps(provenance, default=str)),
    }
    target = managed_file(home)
    parse_entry(name, entry, str(target), None, None)
    target.parent.mkdir(parents=True, exist_ok=True)
    with _locked(target.with_name(MANAGED_FILE_NAME + ".lock")):
        models = read_models_file(target) if target.is_file() else {}
        models[name] = entry
        _write_atomically(target, yaml.safe_dump({"models": models}, sort_keys=False))


def inherited_settings(parent: str, home: Path | None = None) -> dict[str, Any]:
    """The settings of a checkpoint made from `parent` (trained or merged from it): a registered
    parent's own sampling and serving settings, so that the report compares weights, not settings;
    none for a parent given as a directory."""
    registry = load_registry(home=home)
    return registry.get(parent).settings() if parent in registry else {}


@contextlib.contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    """Serialise writers (merge and train may register at the same time)."""
    with open(lock_path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _write_atomically(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
