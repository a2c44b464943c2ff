"""The results store's schema, its migrations, and a Sample as a row of the samples table."""

from __future__ import annotations

import json
import time
from dataclasses import asdict

from codefront.records import Attempt, Degeneration, JudgeResult, Sample, Step

PLACEMENTS = """CREATE TABLE IF NOT EXISTS placements (
    run_id TEXT, model_key TEXT, mode TEXT, problem TEXT, sample INTEGER,
    executor TEXT, episode_node TEXT, judge_node TEXT, records INTEGER,
    PRIMARY KEY (run_id, model_key, mode, problem, sample, executor))"""
"""Where each sample's episode and judging ran (executors other than local); `records` counts how often
the driver stored that sample: 1 in a run that met no infra error, whatever nodes died."""
SESSIONS = """CREATE TABLE IF NOT EXISTS sessions (
    run_id TEXT NOT NULL, started_at REAL NOT NULL, environment TEXT NOT NULL)"""
"""One row per command that started or resumed a run: what it ran with (harness/results/environment.py)."""
SCHEMA_VERSION = 4
TABLES = (
    """CREATE TABLE IF NOT EXISTS runs (
        run_id TEXT PRIMARY KEY, config_hash TEXT NOT NULL, config TEXT NOT NULL, created_at REAL NOT NULL
    )""",
    "CREATE TABLE IF NOT EXISTS models (model_key TEXT PRIMARY KEY, name TEXT NOT NULL, identity TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS samples (
        run_id TEXT NOT NULL, model TEXT NOT NULL, model_key TEXT NOT NULL, mode TEXT NOT NULL,
        problem TEXT NOT NULL, difficulty TEXT NOT NULL, sample INTEGER NOT NULL,
        prompt TEXT, completion TEXT, code TEXT, no_code_reason TEXT, trajectory TEXT,
        prompt_tokens INTEGER, completion_tokens INTEGER, cost_usd REAL, latency_s REAL, finish_reason TEXT,
        verdict TEXT, outcome TEXT, coverage INTEGER, levels INTEGER, passed INTEGER, total INTEGER,
        judge TEXT, degeneration TEXT, infra_error TEXT, created_at REAL NOT NULL,
        PRIMARY KEY (run_id, model_key, mode, problem, sample)
    )""",
    "CREATE INDEX IF NOT EXISTS samples_by_model ON samples (model, mode)",
    "CREATE TABLE IF NOT EXISTS judge_cache (key TEXT PRIMARY KEY, result TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS judge_failures (key TEXT PRIMARY KEY, attempts INTEGER NOT NULL)",
    PLACEMENTS,
    SESSIONS,
)
MIGRATIONS = {
    # Version 1 (unversioned, the first release) kept why an episode ended as its end step's `content`;
    # version 2 names it `reason`. The end step is always a trajectory's last entry.
    1: (
        """UPDATE samples SET trajectory = json_remove(
            json_set(trajectory, '$[#-1].reason', json_extract(trajectory, '$[#-1].content')), '$[#-1].content')
          WHERE json_extract(trajectory, '$[#-1].role') = 'end'""",
    ),
    # Version 3 counts how often judging a program failed (IE), so that retries are bounded.
    2: ("CREATE TABLE IF NOT EXISTS judge_failures (key TEXT PRIMARY KEY, attempts INTEGER NOT NULL)",),
    # Version 4 keeps where each sample ran (before, a side table made by the Ray executor) and the
    # environment of every session that added to a run (codefront, packages, machine, seed).
    3: (PLACEMENTS, SESSIONS),
}
"""The statements that take a store from each version to the next."""


def sample_row(s: Sample) -> dict[str, object]:
    """The samples table's columns, by name. The judge's summary columns are there for SQL queries;
    reading back uses the full `judge` record."""
    a, r = s.attempt, s.result
    return {
        "run_id": s.run_id, "model": s.model, "model_key": s.model_key, "mode": s.mode,
        "problem": s.problem, "difficulty": s.difficulty, "sample": s.index,
        "prompt": a.prompt, "completion": a.completion, "code": a.code, "no_code_reason": a.no_code_reason,
        "trajectory": json.dumps([step.to_dict() for step in a.trajectory]),
        "prompt_tokens": a.prompt_tokens, "completion_tokens": a.completion_tokens, "cost_usd": a.cost_usd,
        "latency_s": a.latency_s, "finish_reason": a.finish_reason,
        "verdict": r.verdict if r else None, "outcome": r.outcome if r else "infra_error",
        "coverage": r.coverage if r else None, "levels": r.levels if r else None,
        "passed": r.passed if r else None, "total": r.total if r else None,
        "judge": json.dumps(r.to_dict()) if r else None,
        "degeneration": json.dumps(asdict(s.degeneration)), "infra_error": a.infra_error,
        "created_at": time.time(),
    }  # fmt: skip


def sample_from_row(row: dict) -> Sample:
    attempt = Attempt(
        code=row["code"],
        completion=row["completion"] or "",
        no_code_reason=row["no_code_reason"] or "",
        trajectory=tuple(Step.from_dict(step) for step in json.loads(row["trajectory"] or "[]")),
        prompt=row["prompt"] or "",
        prompt_tokens=row["prompt_tokens"] or 0,
        completion_tokens=row["completion_tokens"] or 0,
        cost_usd=row["cost_usd"],
        finish_reason=row["finish_reason"] or "",
        latency_s=row["latency_s"] or 0.0,
        infra_error=row["infra_error"] or "",
    )
    return Sample(
        run_id=row["run_id"],
        model=row["model"],
        model_key=row["model_key"],
        mode=row["mode"],
        problem=row["problem"],
        difficulty=row["difficulty"],
        index=row["sample"],
        attempt=attempt,
        result=JudgeResult.from_dict(json.loads(row["judge"])) if row["judge"] else None,
        degeneration=Degeneration(**json.loads(row["degeneration"] or "{}")),
    )
