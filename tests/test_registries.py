"""The registries of problem formats and modes: a new entry is picked up with no other change, and
help texts and "unknown name" errors list what is registered."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from codefront.agents import modes, reasoning
from codefront.agents.modes import ModeSpec, default_sandbox_for, mode_named, register_mode
from codefront.harness.cli import app
from codefront.harness.problems import loaders
from codefront.harness.problems.dataset import load_problems
from codefront.harness.problems.loaders import Loaded, LoadOptions, ProblemFormat, ProblemLoadError
from codefront.records import Problem, Test

LCB_ROWS = Path(__file__).parent / "fixtures" / "lcb_rows.jsonl"
TOY_ROWS = [
    {"name": "double", "prompt": "Print twice the number.", "cases": [["2\n", "4\n"], ["5\n", "10\n"]]},
    {"name": "negate", "prompt": "Print minus the number.", "cases": [["3\n", "-3\n"]]},
]


def _looks_like_toy(path: Path) -> bool:
    first = json.loads(path.read_text().splitlines()[0])
    return isinstance(first, dict) and {"prompt", "cases"} <= first.keys()


def _load_toy(path: Path, options: LoadOptions) -> Loaded:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return Loaded([Problem(id=r["name"], statement=r["prompt"], tests=tuple(Test(*c) for c in r["cases"]),
                           source="toy") for r in rows])  # fmt: skip


@pytest.fixture
def toy_format(monkeypatch) -> ProblemFormat:
    monkeypatch.setattr(loaders, "FORMATS", dict(loaders.FORMATS))
    toy = ProblemFormat("toy", "rows of prompt and cases", (".jsonl",), _looks_like_toy, _load_toy)
    loaders.register_format(toy)
    return toy


def write_rows(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def test_a_registered_jsonl_format_is_chosen_by_content(tmp_path, toy_format):
    toy_file = write_rows(tmp_path / "toy.jsonl", TOY_ROWS)
    loaded = load_problems(str(toy_file))
    assert [(p.id, p.source, len(p.tests)) for p in loaded.problems] == [
        ("double", "toy", 2),
        ("negate", "toy", 1),
    ]
    assert loaders.format_of(toy_file) is toy_format
    # LiveCodeBench rows with the same suffix still go to their own loader, alone or in a folder.
    assert loaders.format_of(LCB_ROWS).name == "lcb"
    shutil.copy(LCB_ROWS, tmp_path / "lcb.jsonl")
    both = load_problems(str(tmp_path))
    assert both.errors == []
    assert {p.source for p in both.problems} == {"toy", "livecodebench/atcoder", "livecodebench/leetcode"}


def test_an_unknown_format_is_one_line_naming_the_file_and_every_format(tmp_path, toy_format):
    other = write_rows(tmp_path / "other.jsonl", [{"task": "x"}])
    with pytest.raises(ProblemLoadError) as caught:
        load_problems(str(other))
    message = str(caught.value)
    assert str(other) in message and len(message.splitlines()) == 1
    assert all(f"{name} (" in message for name in ("native", "lcb", "toy")), message
    # In a folder the other files still load.
    write_rows(tmp_path / "toy.jsonl", TOY_ROWS)
    loaded = load_problems(str(tmp_path))
    assert [p.id for p in loaded.problems] == ["double", "negate"]
    assert [e.file for e in loaded.errors] == [str(other)]
    with pytest.raises(ProblemLoadError, match="other.jsonl"):
        load_problems(str(tmp_path), strict=True)


def test_a_file_with_no_registered_suffix_is_refused(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("id: a\nstatement: s\n")
    with pytest.raises(ProblemLoadError, match="not a known problem format"):
        load_problems(str(notes))


def test_unknown_mode_lists_the_registered_modes(monkeypatch):
    monkeypatch.setattr(modes, "MODES", dict(modes.MODES))
    register_mode(ModeSpec("echo", "a test mode", "codefront.agents.reasoning", "local"))
    assert mode_named("echo") is reasoning.solve
    with pytest.raises(ValueError, match="unknown mode 'chat': choose one of reasoning, tool, agentic, echo"):
        mode_named("chat")


def test_each_mode_has_its_default_sandbox_unless_the_environment_names_one(monkeypatch):
    monkeypatch.delenv("CODEFRONT_SANDBOX", raising=False)
    assert [default_sandbox_for(m) for m in ("reasoning", "tool", "agentic")] == ["local", "local", "docker"]
    monkeypatch.setenv("CODEFRONT_SANDBOX", "local")
    assert default_sandbox_for("agentic") == "local"
    monkeypatch.setenv("CODEFRONT_SANDBOX", "nope")
    with pytest.raises(ValueError, match="CODEFRONT_SANDBOX"):
        default_sandbox_for("reasoning")


def flat(text: str) -> str:
    """Help text without rich's box and line wrapping."""
    return " ".join(text.replace("│", " ").split())


def test_cli_help_lists_the_registered_modes_and_formats():
    result = CliRunner().invoke(app, ["run", "--help"], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    help_text = flat(result.output)
    for spec in modes.MODES.values():
        assert f"{spec.name}: {spec.summary}" in help_text
    for fmt in loaders.FORMATS.values():
        assert fmt.describe() in help_text


def test_cli_unknown_mode_is_a_one_line_error_listing_the_modes():
    result = CliRunner().invoke(app, ["run", "--model", "m", "--mode", "chat"])
    assert result.exit_code == 2
    assert "unknown mode 'chat': choose one of reasoning, tool, agentic" in flat(result.output)


def test_cli_unknown_sandbox_lists_the_registered_backends():
    result = CliRunner().invoke(app, ["run", "--model", "m", "--sandbox", "vm"])
    assert result.exit_code == 2
    assert "unknown sandbox 'vm': choose one of local, docker" in flat(result.output)
