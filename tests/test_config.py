"""Configuration objects: every command's settings are documented fields, given as flags, in a YAML
file or as -c key=value, read by their type, with one-line errors naming what is wrong and where;
the flags of earlier releases still work."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

import pytest
from typer.testing import CliRunner

from codefront.harness.cli import app
from codefront.harness.config import ConfigError, load_config, settings_of
from codefront.harness.eval.config import RunConfig

COMMANDS = {
    "run": ["--model", "--mode", "--dataset", "--limit", "--problems", "--difficulty", "--since", "--until",
            "--platform", "--samples", "--levels", "--concurrency", "--sandbox", "--db", "--max-steps",
            "--max-tokens", "--wall-time", "--limits", "--executor", "--ray-address", "--config"],
    "judge": ["--problems", "--problem", "--code", "--generations", "--skip-unknown", "--db", "--model",
              "--difficulty", "--since", "--until", "--platform", "--limit", "--time-limit", "--memory-limit",
              "--levels", "--all-tests", "--isolation", "--sandbox", "--strict", "--json", "--limits"],
    "report": ["--db", "--json", "--html", "--plots", "--csv", "--json-out", "--k", "--compare", "--resamples",
               "--seed", "--max-ensemble", "--by-difficulty"],
    "calibrate": ["--problems", "--out", "--references", "--factor", "--floor", "--runs", "--problem",
                  "--difficulty", "--since", "--until", "--platform", "--limit", "--sandbox"],
    "train": ["--base", "--out", "--coverage-level", "--sweep", "--levels", "--preset", "--max-steps", "--dataset",
              "--name", "--holdout", "--no-holdout", "--partial-credit", "--sandbox", "--seed", "--problems",
              "--difficulty", "--since", "--until", "--platform", "--limit", "--limits", "--executor",
              "--ray-address"],
    "pipeline": ["--base", "--out", "--levels", "--preset", "--max-steps", "--alphas", "--modes", "--dataset",
                 "--difficulty", "--eval-limit", "--samples", "--sandbox", "--seed", "--db"],
    "merge": ["--low", "--high", "--out", "--alpha", "--alphas", "--dtype"],
    "show": ["--db"],
    "serve": ["--port"],
    "models": [],
}  # fmt: skip
"""Each command's flags as the previous release named them."""


def help_of(*command: str) -> str:
    result = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_keeps_its_flags_and_takes_a_config_file_and_overrides(command: str):
    shown = help_of(command)
    for flag in [*COMMANDS[command], "--config", "--set", "-c", "--print-config"]:
        assert f" {flag} " in shown or f" {flag}\n" in shown or f"{flag}/" in shown, (command, flag)


def test_every_setting_of_every_command_is_documented_and_its_flag_unique():
    from codefront.harness.cli import app as root

    for group in [root, *(g.typer_instance for g in root.registered_groups)]:
        for registered in group.registered_commands:
            entry = registered.callback
            params = entry.__signature__.parameters  # type: ignore[union-attr]
            flags = [getattr(p.default, "param_decls", None) or () for p in params.values()]
            declared = [d.split("/")[0] for decls in flags for d in decls]
            assert len(declared) == len(set(declared)), (registered.name, declared)
            for p in params.values():
                assert getattr(p.default, "help", None), (registered.name, p.name)


@dataclass(frozen=True)
class Inner:
    depth: int = 1
    """How deep."""


@dataclass(frozen=True)
class Toy:
    name: str
    """A name, never guessed."""
    ids: tuple[str, ...] = ()
    """Ids."""
    when: date | None = None
    """A day."""
    where: Path = Path("here")
    """A path."""
    ratio: float = 1.0
    """A number."""
    loud: bool = False
    """A switch."""
    level: Literal["low", "high"] = "low"
    """A choice."""
    inner: Inner = field(default_factory=Inner)


def test_values_are_read_by_their_type():
    toy = load_config(Toy, "toy", flags={"name": "1873_1", "ids": ["a,b", "c", "a"], "when": "2024-08-01",
                                          "ratio": "1e-3", "loud": "yes", "level": "high", "inner.depth": "3"})  # fmt: skip
    assert toy == Toy(
        "1873_1", ("a", "b", "c"), date(2024, 8, 1), Path("here"), 0.001, True, "high", Inner(3)
    )
    listed = load_config(Toy, "toy", overrides=["name=x", "ids=[p, q]", "when=null", "inner={depth: 5}"])
    assert (listed.ids, listed.when, listed.inner) == (("p", "q"), None, Inner(5))


def test_a_file_then_overrides_then_flags(tmp_path: Path):
    path = tmp_path / "toy.yaml"
    path.write_text("name: file\nratio: 2\ninner:\n  depth: 2\n")
    assert load_config(Toy, "toy", path).ratio == 2.0
    assert load_config(Toy, "toy", path, ["ratio=3"]).ratio == 3.0
    assert load_config(Toy, "toy", path, ["inner.depth=4"], {"ratio": "5"}) == Toy(
        "file", ratio=5.0, inner=Inner(4)
    )
    with pytest.raises(ConfigError, match=r"ratio is given twice: -c ratio=3 and --ratio"):
        load_config(Toy, "toy", path, ["ratio=3"], {"ratio": "4"})
    sections = tmp_path / "all.yaml"
    sections.write_text("toy: {name: from-section}\nother: {anything: 1}\n")
    assert load_config(Toy, "toy", sections).name == "from-section"


@pytest.mark.parametrize(
    ("given", "message"),
    [({"flags": {}}, r"missing setting name \(--name\)"),
     ({"flags": {"name": "x", "ratio": "fast"}}, r"--ratio: expected a number, got 'fast'"),
     ({"flags": {"name": "x", "level": "mid"}}, r"--level: choose one of low, high, got 'mid'"),
     ({"overrides": ["name=x", "colour=red"]}, r"-c colour=red: unknown setting 'colour'"),
     ({"overrides": ["name=x", "inner.deep=2"]}, r"unknown setting 'inner.deep' \(did you mean inner.depth\?"),
     ({"overrides": ["name"]}, r"-c name: expected key=value"),
     ({"overrides": ["name=x", "when=soon"]}, r"-c when=soon: 'soon' is not a date")],
)  # fmt: skip
def test_bad_values_are_one_line_errors_naming_where_they_came_from(given: dict, message: str):
    with pytest.raises(ConfigError, match=message):
        load_config(Toy, "toy", **given)


def test_a_file_names_the_file_in_its_errors(tmp_path: Path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\ninner: {depth: deep}\n")
    with pytest.raises(ConfigError, match=rf"{path}: inner.depth: expected an integer, got 'deep'"):
        load_config(Toy, "toy", path)
    path.write_text("name: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(Toy, "toy", path)


def test_printed_settings_read_back_as_the_same_configuration(tmp_path: Path):
    args = ["run", "--model", "a,b", "--mode", "tool", "--since", "2024-01-01", "-c", "budgets.max_steps=7",
            "--limits", "limits.json", "--print-config"]  # fmt: skip
    printed = CliRunner().invoke(app, args)
    assert printed.exit_code == 0, printed.output
    path = tmp_path / "run.yaml"
    path.write_text(printed.output)
    again = load_config(RunConfig, "run", path)
    assert again == load_config(RunConfig, "run", overrides=["models=a,b", "modes=tool", "selection.since=2024-01-01",
                                                            "budgets.max_steps=7", "limits=limits.json"])  # fmt: skip
    assert again.budgets.max_steps == 7 and again.selection.since == date(2024, 1, 1)


def test_settings_carry_their_documentation_and_flags():
    by_path = {s.path: s for s in settings_of(RunConfig)}
    assert by_path["budgets.wall_time_s"].flag == "--wall-time"
    assert by_path["models"].flag == "--model" and "registry" in by_path["models"].doc
    assert "reasoning:" in by_path["modes"].doc  # the registered modes, listed where the flag is documented
    assert all(s.doc for s in by_path.values()), [p for p, s in by_path.items() if not s.doc]
