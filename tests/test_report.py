"""Reports: estimators against enumeration and simulation, metrics on a real store, plots, HTML and the CLI."""

from __future__ import annotations

import json
import math
import random
import subprocess
import sys
from fractions import Fraction
from html import unescape
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from codefront.harness.cli import app
from codefront.harness.report.alpha import alpha_points
from codefront.harness.report.build import build_report
from codefront.harness.report.compare import complementarity, paired, resolve_sides
from codefront.harness.report.data import load_dataset
from codefront.harness.report.ensembles import (
    Pool,
    ensemble_pass_rate,
    make_pool,
    search,
    split_budget,
)
from codefront.harness.report.estimators import fail_table, pass_at_k
from codefront.harness.report.html import render_html
from codefront.harness.report.metrics import Settings, metrics_rows
from codefront.harness.report.plots import render_plots, write_plots
from codefront.harness.results.store import Store
from codefront.records import OUTCOME_OF, Attempt, Degeneration, JudgeResult, Sample, Verdict

SETTINGS = Settings(ks=(1, 2, 4), resamples=200, seed=7, max_ensemble=3)
MODES = ("reasoning", "agentic")
PROBLEMS = {"p0": "easy", "p1": "easy", "p2": "medium", "p3": "medium", "p4": "hard", "p5": "hard"}
LEVELS = 4
# name -> (identity in the models table or None for no row, P(solve), P(correctness), P(optimization))
MODELS = {
    "cov-low": ({"weights_hash": "h-low", "lineage": "training", "coverage_level": 1}, 0.3, 0.1, 0.5),
    "cov-mid": ({"weights_hash": "h-mid", "lineage": "training", "coverage_level": 2}, 0.4, 0.25, 0.3),
    "cov-high": ({"weights_hash": "h-high", "lineage": "training", "coverage_level": 4}, 0.45, 0.4, 0.1),
    "alpha0.5": ({"weights_hash": "h-a05", "alpha": 0.5, "parents": ["h-low", "h-high"]}, 0.4, 0.3, 0.25),
    "alpha1.5": (
        {
            "weights_hash": "h-a15",
            "alpha": 1.5,
            "low_hash": "h-low",
            "high_hash": "h-high",
            "low": "/c/cov-low",
        },
        0.3,
        0.5,
        0.05,
    ),
    "base": (None, 0.2, 0.4, 0.3),
}
# S solved, C wrong answer, O time limit, D degenerate (CE, max tokens, loop), E empty (CE),
# I endpoint infra error (no result), J judge infra error (IE verdict).
VERDICTS = {
    "S": Verdict.AC,
    "C": Verdict.WA,
    "O": Verdict.TLE,
    "D": Verdict.CE,
    "E": Verdict.CE,
    "J": Verdict.IE,
}
COVERAGE = {"S": LEVELS, "C": 1, "O": 3, "D": 0, "E": 0, "J": 0}
TOKENS = {"S": 100, "C": 200, "O": 300, "D": 4096, "E": 0, "I": 0, "J": 150}
DEGENERATION = {
    "D": Degeneration(hit_max_tokens=True, no_code=True, loop=True),
    "E": Degeneration(empty=True, no_code=True),
}


def outcome_strings() -> dict[tuple[str, str, str], str]:
    """Four samples per (model, mode, problem), drawn once from each model's profile."""
    rng = random.Random(1234)
    strings = {}
    for model, (_, solve, wrong, slow) in MODELS.items():
        for mode in MODES:
            for problem in PROBLEMS:
                letters = []
                for _ in range(4):
                    u = rng.random()
                    letter = (
                        "S"
                        if u < solve
                        else "C"
                        if u < solve + wrong
                        else "O"
                        if u < solve + wrong + slow
                        else "D"
                    )
                    letters.append(letter)
                strings[(model, mode, problem)] = "".join(letters)
    # Fixed cases the assertions lean on: infra errors of both kinds, an empty answer, a lone solver.
    strings[("base", "reasoning", "p0")] = "ISSE"
    strings[("cov-low", "reasoning", "p1")] = "JJCO"
    for model in MODELS:
        strings[(model, "reasoning", "p5")] = "CCOO"
    strings[("alpha1.5", "reasoning", "p5")] = "CSCC"
    return strings


def make_sample(model: str, mode: str, problem: str, index: int, letter: str) -> Sample:
    key = f"key-{model}"
    attempt = Attempt(
        code=None if letter in "DEI" else "print(1)",
        completion_tokens=TOKENS[letter],
        cost_usd=0.001 if model == "base" and letter != "I" else None,
        infra_error="endpoint timed out" if letter == "I" else "",
    )
    result = None
    if letter != "I":
        verdict = VERDICTS[letter]
        passed = {"S": 8, "C": 2, "O": 6}.get(letter, 0)
        result = JudgeResult(
            problem, verdict, OUTCOME_OF[verdict], COVERAGE[letter], LEVELS, passed, 8, (), 0.1, 10.0
        )
    return Sample(
        run_id="run",
        model=model,
        model_key=key,
        mode=mode,
        problem=problem,
        difficulty=PROBLEMS[problem],
        index=index,
        attempt=attempt,
        result=result,
        degeneration=DEGENERATION.get(letter, Degeneration()),
    )


@pytest.fixture(scope="module")
def strings() -> dict[tuple[str, str, str], str]:
    return outcome_strings()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, strings: dict) -> Path:
    path = tmp_path_factory.mktemp("report") / "results.sqlite"
    with Store(path) as store:
        for model, (identity, *_) in MODELS.items():
            if identity is not None:
                store.record_model(f"key-{model}", model, {"name": model, **identity})
        for (model, mode, problem), letters in strings.items():
            for index, letter in enumerate(letters):
                store.add(make_sample(model, mode, problem, index, letter))
    return path


@pytest.fixture(scope="module")
def data(db: Path):
    with Store(db) as store:
        return load_dataset(store)


@pytest.fixture(scope="module")
def report(data):
    return build_report(data, SETTINGS, compare=("alpha1.5", "cov-low"))


# Estimators


@pytest.mark.parametrize("n", range(1, 9))
def test_pass_at_k_matches_enumeration_of_every_k_subset(n: int):
    for c in range(n + 1):
        for k in range(1, n + 1):
            subsets = list(combinations(range(n), k))
            exact = sum(any(i < c for i in s) for s in subsets) / len(subsets)
            assert pass_at_k(n, c, k) == pytest.approx(exact, abs=1e-12)
            assert 1.0 - fail_table(np.array([n]), np.array([c]), k)[k][0] == pytest.approx(exact, abs=1e-12)


def test_pass_at_k_stays_exact_where_binomials_overflow_floats():
    n, c, k = 3000, 4, 1200
    exact = 1 - Fraction(math.comb(n - c, k), math.comb(n, k))
    assert pass_at_k(n, c, k) == pytest.approx(float(exact), rel=1e-12)
    assert 1.0 - fail_table(np.array([n]), np.array([c]), k)[k][0] == pytest.approx(float(exact), rel=1e-12)


def test_pass_at_k_rejects_budgets_above_the_sample_count():
    with pytest.raises(ValueError):
        pass_at_k(3, 1, 4)
    with pytest.raises(ValueError):
        fail_table(np.array([5, 2]), np.array([1, 1]), 3)


# Ensembles


def test_budget_split_is_even_with_the_remainder_first():
    assert split_budget(10, 3) == (4, 3, 3)
    assert split_budget(2, 3) == (1, 1, 0)
    assert split_budget(9, 3) == (3, 3, 3)
    with pytest.raises(ValueError):
        split_budget(4, 0)


def random_pool(seed: int, checkpoints: int = 3, problems: int = 5) -> Pool:
    rng = np.random.default_rng(seed)
    n = rng.integers(4, 9, size=(checkpoints, problems))
    c = rng.integers(0, n + 1)
    labels = tuple(f"m{i}" for i in range(checkpoints))
    return Pool(
        "reasoning", labels, tuple(f"p{j}" for j in range(problems)), n.astype(float), c.astype(float)
    )


@pytest.mark.parametrize("split", [(2, 1, 1), (3, 0, 2), (1, 1, 1), (4, 0, 0)])
def test_ensemble_formula_matches_monte_carlo_draws_without_replacement(split: tuple[int, ...]):
    pool = random_pool(seed=sum(split))
    trials = 20_000
    rng = np.random.default_rng(99)
    solved = np.zeros((trials, len(pool.problems)), dtype=bool)
    for i, share in enumerate(split):
        for j in range(len(pool.problems)):
            n, c = int(pool.n[i, j]), int(pool.c[i, j])
            draws = np.argsort(rng.random((trials, n)), axis=1)[:, :share]
            solved[:, j] |= (draws < c).any(axis=1)
    simulated = solved.mean()
    exact = ensemble_pass_rate(pool, pool.labels, split)
    per_problem = solved.mean(axis=0)
    sigma = math.sqrt(np.sum(per_problem * (1 - per_problem)) / trials) / len(pool.problems)
    assert abs(simulated - exact) <= 4 * sigma + 1e-3


def test_one_member_ensemble_is_plain_pass_at_k():
    pool = random_pool(seed=3)
    for j in range(1, 5):
        expected = np.mean([pass_at_k(int(n), int(c), j) for n, c in zip(pool.n[1], pool.c[1], strict=True)])
        assert ensemble_pass_rate(pool, ["m1"], [j]) == pytest.approx(expected, abs=1e-12)


def test_search_prefers_two_checkpoints_that_solve_disjoint_problems():
    n = np.full((3, 4), 4.0)
    c = np.array([[4, 4, 0, 0], [0, 0, 4, 4], [2, 2, 2, 0]], dtype=float)
    pool = Pool("tool", ("a", "b", "mixed"), ("p0", "p1", "p2", "p3"), n, c)
    by_k = {r.k: r for r in search(pool, [1, 2, 4], max_size=3)}
    assert by_k[1].best_ensemble is None
    assert by_k[2].best_single.pass_rate == pytest.approx(3 * (1 - 1 / 6) / 4)
    assert by_k[2].best_single.members == ("mixed",)
    assert set(by_k[2].best_ensemble.members) == {"a", "b"}
    assert by_k[2].best_ensemble.pass_rate == pytest.approx(1.0)
    for result in by_k.values():
        members = result.best_single.members
        assert result.best_single.pass_rate == pytest.approx(ensemble_pass_rate(pool, members, [result.k]))


def test_search_is_exhaustive_over_combinations(data):
    (result,) = search(make_pool(data, "reasoning"), [4], max_size=2)
    pool = make_pool(data, "reasoning").restrict(4)
    assert result.problems == len(pool.problems) == 4  # two problems lost samples to infra errors
    pairs = [
        ensemble_pass_rate(pool, [pool.labels[i], pool.labels[j]], split_budget(4, 2))
        for i, j in combinations(range(len(pool.labels)), 2)
    ]
    singles = [ensemble_pass_rate(pool, [label], [4]) for label in pool.labels]
    assert result.best_ensemble.pass_rate == pytest.approx(max(pairs))
    assert result.best_single.pass_rate == pytest.approx(max(singles))


# Metrics on a store


def expected_rates(letters: str) -> dict:
    scored = [x for x in letters if x not in "IJ"]
    return {
        "samples": len(scored),
        "infra": len(letters) - len(scored),
        "solved": scored.count("S"),
        "correctness": sum(x in "CDE" for x in scored),
        "optimization": scored.count("O"),
        "coverage": sum(COVERAGE[x] for x in scored),
        "tokens": sum(TOKENS[x] for x in scored),
        "loop": scored.count("D"),
    }


def test_metrics_rows_match_counts_from_the_samples(data, strings):
    rows = {(r.model, r.mode): r for r in metrics_rows(data, SETTINGS)}
    assert set(rows) == {(m, mode) for m in MODELS for mode in MODES}
    for (model, mode), row in rows.items():
        per_problem = {p: expected_rates(strings[(model, mode, p)]) for p in PROBLEMS}
        total = {key: sum(e[key] for e in per_problem.values()) for key in next(iter(per_problem.values()))}
        assert (row.samples, row.infra_errors, row.problems) == (total["samples"], total["infra"], 6)
        assert row.solve_rate == pytest.approx(total["solved"] / total["samples"])
        assert row.correctness_failure_rate == pytest.approx(total["correctness"] / total["samples"])
        assert row.optimization_failure_rate == pytest.approx(total["optimization"] / total["samples"])
        assert row.mean_coverage == pytest.approx(total["coverage"] / total["samples"])
        assert row.mean_completion_tokens == pytest.approx(total["tokens"] / total["samples"])
        assert row.degeneration["loop"] == pytest.approx(total["loop"] / total["samples"])
        assert sum(row.coverage_distribution.values()) == pytest.approx(1.0)
        for k in (1, 2, 4):
            eligible = [e for e in per_problem.values() if e["samples"] >= k]
            expected = np.mean([pass_at_k(e["samples"], e["solved"], k) for e in eligible])
            assert row.pass_at[k] == pytest.approx(expected)
            assert row.pass_at_ci[k].low <= row.pass_at[k] + 1e-9 <= row.pass_at_ci[k].high + 2e-9
        assert row.solve_rate_ci.low <= row.solve_rate <= row.solve_rate_ci.high


def test_infra_errors_are_counted_apart_and_never_charged(data):
    rows = {(r.model, r.mode): r for r in metrics_rows(data, SETTINGS)}
    base, low = rows[("base", "reasoning")], rows[("cov-low", "reasoning")]
    assert base.infra_errors == 1 and low.infra_errors == 2
    assert base.samples == 6 * 4 - 1 and low.samples == 6 * 4 - 2
    assert base.cost_usd == pytest.approx(0.001 * base.samples)
    assert low.cost_usd is None
    assert base.degeneration["empty"] > 0


def test_bootstrap_is_seeded(data):
    first = metrics_rows(data, SETTINGS)
    again = metrics_rows(data, SETTINGS)
    other = metrics_rows(data, Settings(ks=SETTINGS.ks, resamples=200, seed=8))
    assert [r.solve_rate_ci for r in first] == [r.solve_rate_ci for r in again]
    assert [r.solve_rate_ci for r in first] != [r.solve_rate_ci for r in other]


def test_difficulty_rows_split_each_checkpoint_and_mode(data, strings):
    rows = metrics_rows(data, SETTINGS, by_difficulty=True)
    assert {r.difficulty for r in rows} == {"easy", "medium", "hard"}
    hard = next(r for r in rows if (r.model, r.mode, r.difficulty) == ("alpha1.5", "reasoning", "hard"))
    letters = strings[("alpha1.5", "reasoning", "p4")] + strings[("alpha1.5", "reasoning", "p5")]
    assert hard.problems == 2 and hard.solve_rate == pytest.approx(letters.count("S") / 8)


def test_labels_disambiguate_two_weight_sets_sharing_a_name(tmp_path: Path):
    with Store(tmp_path / "dup.sqlite") as store:
        for key in ("aaaaaaaa1", "bbbbbbbb2"):
            sample = make_sample("dup", "tool", "p0", 0, "S")
            store.add(Sample(**{**sample.__dict__, "model_key": key}))
        assert load_dataset(store).labels == ["dup@aaaaaaaa", "dup@bbbbbbbb"]


def test_the_report_reads_the_store_only_through_its_api():
    """The store owns the file's layout: no report module writes SQL or reaches for the connection."""
    modules = sorted((Path(__file__).parents[1] / "harness" / "report").glob("*.py"))
    assert len(modules) > 5
    for module in modules:
        source = module.read_text()
        assert not any(word in source for word in ("sqlite3", "execute(", "SELECT ", ".db.")), module.name


# Alpha view, complementarity, comparisons


def test_alpha_view_orders_endpoints_merges_and_trained_checkpoints(data):
    points = alpha_points(data, metrics_rows(data, SETTINGS))
    reasoning = [(p.model, p.alpha, p.role) for p in points if p.mode == "reasoning"]
    assert reasoning == [
        ("cov-low", 0.0, "low"),
        ("cov-mid", pytest.approx(1 / 3), "trained"),
        ("alpha0.5", 0.5, "merge"),
        ("cov-high", 1.0, "high"),
        ("alpha1.5", 1.5, "merge"),
    ]
    assert {p.family for p in points} == {"cov-low -> cov-high"}
    assert "base" not in {p.model for p in points}


def test_complementarity_sets_and_overlaps(data, strings):
    comp = complementarity(data, "reasoning")
    solved = {m: {p for p in PROBLEMS if "S" in strings[(m, "reasoning", p)]} for m in MODELS}
    assert {m: set(s) for m, s in comp.solved.items()} == solved
    assert "p5" in comp.unique["alpha1.5"]
    for model in MODELS:
        others = set().union(*(s for m, s in solved.items() if m != model))
        assert set(comp.unique[model]) == solved[model] - others
    a, b = solved["alpha0.5"], solved["base"]
    assert comp.jaccard[("alpha0.5", "base")] == pytest.approx(len(a & b) / len(a | b))
    assert comp.union_coverage == pytest.approx(len(set().union(*solved.values())) / 6)


def test_paired_comparison_diff_view_and_interval(data, strings):
    (sides,) = resolve_sides(data, "alpha1.5:reasoning", "cov-low")
    assert sides == (("alpha1.5", "reasoning"), ("cov-low", "reasoning"))
    result = paired(data, *sides, SETTINGS)
    solved_a = {p for p in PROBLEMS if "S" in strings[("alpha1.5", "reasoning", p)]}
    solved_b = {p for p in PROBLEMS if "S" in strings[("cov-low", "reasoning", p)]}
    assert set(result.only_a) == solved_a - solved_b and set(result.only_b) == solved_b - solved_a
    assert set(result.both) == solved_a & solved_b
    assert set(result.neither) == set(PROBLEMS) - solved_a - solved_b
    d = result.solve_rate
    assert d.diff == pytest.approx(d.a - d.b) and d.ci.low <= d.diff <= d.ci.high
    assert len(resolve_sides(data, "alpha1.5", "cov-low")) == 2
    with pytest.raises(ValueError, match="unknown checkpoint"):
        resolve_sides(data, "nope", "cov-low")


def test_mode_against_mode_of_one_model(data):
    (sides,) = resolve_sides(data, "base:reasoning", "base:agentic")
    assert paired(data, *sides, SETTINGS).problems == 6


# Plots, HTML, exports, CLI

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_plots_are_valid_pngs_and_html_embeds_them(report, tmp_path: Path):
    import matplotlib.pyplot as plt

    plots = render_plots(report)
    names = {p.name for p in plots}
    assert names == {
        "frontier",
        "alpha_curves",
        "pass_at_k",
        "ensembles",
        "solved_heatmap",
        "degeneration_alpha",
    }
    for path in write_plots(plots, tmp_path / "plots"):
        assert path.read_bytes()[:8] == PNG_MAGIC
        image = plt.imread(path)
        assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 100
    series = {p.name: p.series for p in plots}
    assert {"solve rate", "correctness failure rate", "optimization failure rate"} <= set(
        series["alpha_curves"]
    )
    assert {"best single", "best ensemble"} <= set(series["ensembles"])
    html = unescape(render_html(report, plots, "results.sqlite"))
    assert html.count("data:image/png;base64,") == len(plots)
    for text in ("alpha1.5", "cov-mid", "base", "best ensemble", "loop rate", "cov-low -> cov-high", "p5"):
        assert text in html


def test_checkpoints_at_one_frontier_point_share_one_label(tmp_path: Path):
    with Store(tmp_path / "same.sqlite") as store:
        for model, letters in (("first", "SC"), ("second", "CS"), ("apart", "OO")):
            for index, letter in enumerate(letters):
                store.add(make_sample(model, "tool", "p0", index, letter))
        report = build_report(load_dataset(store), SETTINGS)
    frontier = next(p for p in render_plots(report) if p.name == "frontier")
    assert {"apart", "first\nsecond"} <= set(frontier.series) and "first" not in frontier.series


def test_cli_json_prints_only_the_rows(db: Path):
    harness = Path(sys.executable).with_name("harness")
    done = subprocess.run(
        [harness, "report", "--db", db, "--json"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert isinstance(rows, list) and len(rows) == len(MODELS) * len(MODES)
    required = {
        "model",
        "mode",
        "samples",
        "solve_rate",
        "correctness_failure_rate",
        "optimization_failure_rate",
    }
    required |= {"mean_coverage", "pass_at_1", "mean_completion_tokens", "infra_errors"}
    assert all(required <= row.keys() for row in rows)
    assert {(r["model"], r["mode"]) for r in rows} == {(m, mode) for m in MODELS for mode in MODES}


def test_cli_writes_every_output(db: Path, tmp_path: Path):
    args = ["report", "--db", str(db), "--k", "1,2", "--resamples", "100", "--compare", "alpha1.5", "cov-low"]
    args += [
        "--html",
        str(tmp_path / "r.html"),
        "--plots",
        str(tmp_path / "plots"),
        "--csv",
        str(tmp_path / "m.csv"),
    ]
    args += ["--json-out", str(tmp_path / "all.json")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert (
        "Per checkpoint and mode" in result.output
        and "alpha1.5:reasoning vs cov-low:reasoning" in result.output
    )
    assert (tmp_path / "r.html").read_text().count("<img") == 6
    assert len(list((tmp_path / "plots").glob("*.png"))) == 6
    header = (tmp_path / "m.csv").read_text().splitlines()[0].split(",")
    assert {"model", "mode", "solve_rate", "pass_at_2", "solve_rate_ci_low"} <= set(header)
    assert "difficulty" in (tmp_path / "m.by_difficulty.csv").read_text().splitlines()[0]
    everything = json.loads((tmp_path / "all.json").read_text())
    assert set(everything) == {
        "rows",
        "by_difficulty",
        "alpha",
        "ensembles",
        "complementarity",
        "comparisons",
        "runs",
    }
    assert {c["a"] for c in everything["comparisons"]} == {"alpha1.5:agentic", "alpha1.5:reasoning"}


@pytest.mark.parametrize("setup", ["missing", "empty", "garbage"])
def test_cli_rejects_a_store_without_samples_in_one_line(setup: str, tmp_path: Path):
    path = tmp_path / "results.sqlite"
    if setup == "empty":
        Store(path).close()
    elif setup == "garbage":
        path.write_text("not a database at all, " * 100)
    result = CliRunner().invoke(app, ["report", "--db", str(path)])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1 and "error" in result.output


def test_cli_rejects_bad_budgets_and_unknown_comparisons(db: Path):
    assert CliRunner().invoke(app, ["report", "--db", str(db), "--k", "0,2"]).exit_code == 2
    result = CliRunner().invoke(app, ["report", "--db", str(db), "--compare", "nope", "base"])
    assert result.exit_code == 2 and "unknown checkpoint" in result.output


def test_a_checkpoint_with_only_infra_errors_reports_no_rates(tmp_path: Path):
    with Store(tmp_path / "infra.sqlite") as store:
        store.record_model("key-m", "m", {"alpha": 0.5, "parents": ["lo", "hi"]})
        for index in range(3):
            store.add(make_sample("m", "tool", "p0", index, "I"))
        store.add(make_sample("n", "tool", "p0", 0, "S"))
        data = load_dataset(store)
    report = build_report(data, SETTINGS)
    rows = {r.model: r for r in report.rows}
    assert (rows["m"].samples, rows["m"].infra_errors, rows["m"].solve_rate, rows["m"].pass_at[1]) == (
        0,
        3,
        None,
        None,
    )
    assert rows["n"].solve_rate == 1.0
    assert [p.family for p in report.alpha] == ["lo -> hi"]
    assert len(render_plots(report)) == 6


def test_a_store_whose_every_sample_is_an_infra_error_still_reports(tmp_path: Path):
    """A server that died mid-run leaves nothing but infra errors: the report says so, it does not fail."""
    db = tmp_path / "down.sqlite"
    with Store(db) as store:
        for index in range(3):
            store.add(make_sample("m", "reasoning", f"p{index}", 0, "I"))
    result = CliRunner().invoke(app, ["report", "--db", str(db)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    with Store(db) as store:
        (row,) = build_report(load_dataset(store), SETTINGS).rows
    assert (row.samples, row.infra_errors, row.solve_rate) == (0, 3, None)
