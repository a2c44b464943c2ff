"""Native problem files: YAML or JSON, one problem per file or several under `problems:`.

Hidden tests are listed (`tests`), generated (`generator`), or both. A generator is a `gen.py`
defining `generate(size, rng) -> str` plus a trusted reference solution whose outputs become the
expected answers; both run in one subprocess per problem (native_generation.py) and the result is
cached on disk (native_cache.py). The fields and their checks are in native_schema.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from codefront.harness.problems.loaders.base import Loaded, ProblemFormat, ProblemLoadError
from codefront.harness.problems.loaders.native_schema import Where, parse_problem


class _Mapping(dict):
    """A YAML mapping that remembers its own line and the line of each key."""

    line: int | None = None
    key_lines: dict[str, int]


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    pass


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> _Mapping:
    mapping = _Mapping(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {str(k.value): k.start_mark.line + 1 for k, _ in node.value}
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_native(path: Path, strict: bool) -> Loaded:
    file = str(path)
    loaded = Loaded()
    try:
        entries = _entries(path)
    except ProblemLoadError as e:
        if strict:
            raise
        loaded.errors.append(e)
        return loaded
    seen: dict[str, str] = {}
    for prefix, entry in entries:
        where = Where(file, prefix, entry)
        try:
            problem = parse_problem(entry, where, path.parent)
            if problem.id in seen:
                raise where.error("id", f"duplicate id {problem.id!r} (first at {seen[problem.id] or 'top'})")
        except ProblemLoadError as e:
            if strict:
                raise
            loaded.errors.append(e)
            continue
        seen[problem.id] = prefix.rstrip(".")
        loaded.problems.append(problem)
    return loaded


def _entries(path: Path) -> list[tuple[str, object]]:
    """The file's problems, each with the field prefix that names it in errors."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ProblemLoadError(file, None, "document", f"cannot read: {e}") from None
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=_LineLoader)
    except json.JSONDecodeError as e:
        raise ProblemLoadError(file, e.lineno, "document", f"not valid JSON: {e.msg}") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark else None
        reason = getattr(e, "problem", None) or e
        raise ProblemLoadError(file, line, "document", f"not valid YAML: {reason}") from None
    if not isinstance(data, dict):
        raise ProblemLoadError(file, None, "document", "expected one problem, or `problems: [...]`")
    if "problems" not in data:
        return [("", data)]
    where = Where(file, "", data)
    extra = sorted(set(data) - {"problems"}, key=str)
    if extra:
        raise where.error(str(extra[0]), "a file with `problems:` holds nothing else beside it")
    if not isinstance(data["problems"], list) or not data["problems"]:
        raise where.error("problems", "must be a non-empty list of problems")
    return [(f"problems[{i}].", entry) for i, entry in enumerate(data["problems"])]


def _any_content(path: Path) -> bool:
    """Every file with a native suffix is taken as native, so that its own errors say what is wrong."""
    return True


NATIVE = ProblemFormat(
    name="native",
    description="codefront problem files, one problem or `problems: [...]`",
    suffixes=(".yaml", ".yml", ".json"),
    recognises=_any_content,
    load=lambda path, options: load_native(path, options.strict),
)
