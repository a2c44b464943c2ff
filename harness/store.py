"""SQLite results store: one row per (run, model weights, mode, problem, sample), written as each
sample finishes, so Ctrl-C or a crash loses nothing finished and re-running resumes.

WAL mode and a busy timeout make concurrent writers (several `harness run` at once) safe.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

from codefront.harness.judge.records import JudgeResult
from codefront.harness.records import Attempt, Degeneration, Sample

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY, config_hash TEXT NOT NULL, config TEXT NOT NULL, created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS models (
    model_key TEXT PRIMARY KEY, name TEXT NOT NULL, identity TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS samples (
    run_id TEXT NOT NULL, model TEXT NOT NULL, model_key TEXT NOT NULL, mode TEXT NOT NULL,
    problem TEXT NOT NULL, difficulty TEXT NOT NULL, sample INTEGER NOT NULL,
    prompt TEXT, completion TEXT, code TEXT, no_code_reason TEXT, trajectory TEXT,
    prompt_tokens INTEGER, completion_tokens INTEGER, cost_usd REAL, latency_s REAL, finish_reason TEXT,
    verdict TEXT, outcome TEXT, coverage INTEGER, levels INTEGER, passed INTEGER, total INTEGER,
    judge TEXT, degeneration TEXT, infra_error TEXT, created_at REAL NOT NULL,
    PRIMARY KEY (run_id, model_key, mode, problem, sample)
);
CREATE INDEX IF NOT EXISTS samples_by_model ON samples (model, mode);
CREATE TABLE IF NOT EXISTS judge_cache (key TEXT PRIMARY KEY, result TEXT NOT NULL);
"""


def config_hash(config: dict) -> str:
    return hashlib.sha256(json.dumps(config, sort_keys=True, default=str).encode()).hexdigest()[:16]


def normalized_code_hash(code: str) -> str:
    """Identical programs up to trailing whitespace and line endings hash the same."""
    lines = [line.rstrip() for line in code.replace("\r\n", "\n").split("\n")]
    return hashlib.sha256("\n".join(lines).strip("\n").encode()).hexdigest()


class Store:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=60, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA busy_timeout=60000")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def start_run(self, config: dict) -> str:
        """The run's id is its config hash: the same command finds the same run and resumes it."""
        run_id = config_hash(config)
        self.db.execute(
            "INSERT OR IGNORE INTO runs VALUES (?, ?, ?, ?)",
            (run_id, run_id, json.dumps(config, sort_keys=True, default=str), time.time()),
        )
        return run_id

    def record_model(self, model_key: str, name: str, identity: dict) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO models VALUES (?, ?, ?)",
            (model_key, name, json.dumps(identity, sort_keys=True)),
        )

    def finished(self, run_id: str, model_key: str, mode: str) -> set[tuple[str, int]]:
        """(problem, sample) pairs already done. Infra errors are not done: a resumed run retries them."""
        rows = self.db.execute(
            "SELECT problem, sample FROM samples WHERE run_id=? AND model_key=? AND mode=? AND infra_error=''",
            (run_id, model_key, mode),
        )
        return {(problem, sample) for problem, sample in rows}

    def add(self, s: Sample) -> None:
        a, r = s.attempt, s.result
        self.db.execute(
            "INSERT OR REPLACE INTO samples VALUES (" + ", ".join("?" * 27) + ")",
            (
                s.run_id, s.model, s.model_key, s.mode, s.problem, s.difficulty, s.index,
                a.prompt, a.completion, a.code, a.no_code_reason, json.dumps(a.trajectory),
                a.prompt_tokens, a.completion_tokens, a.cost_usd, a.latency_s, a.finish_reason,
                r.verdict if r else None, r.outcome if r else "infra_error", r.coverage if r else None,
                r.levels if r else None, r.passed if r else None, r.total if r else None,
                json.dumps(r.to_dict()) if r else None, json.dumps(asdict(s.degeneration)), a.infra_error,
                time.time(),
            ),
        )  # fmt: skip

    def samples(self, model: str | None = None, mode: str | None = None) -> Iterator[Sample]:
        query, args = "SELECT * FROM samples WHERE 1=1", []
        for column, value in (("model", model), ("mode", mode)):
            if value is not None:
                query += f" AND {column}=?"
                args.append(value)
        cursor = self.db.execute(query + " ORDER BY model, mode, problem, sample", args)
        names = [d[0] for d in cursor.description]
        for row in cursor:
            yield _sample(dict(zip(names, row, strict=True)))

    def cached_result(self, key: str) -> JudgeResult | None:
        row = self.db.execute("SELECT result FROM judge_cache WHERE key=?", (key,)).fetchone()
        return JudgeResult.from_dict(json.loads(row[0])) if row else None

    def cache_result(self, key: str, result: JudgeResult) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO judge_cache VALUES (?, ?)", (key, json.dumps(result.to_dict()))
        )


def _sample(row: dict) -> Sample:
    attempt = Attempt(
        code=row["code"],
        completion=row["completion"] or "",
        no_code_reason=row["no_code_reason"] or "",
        trajectory=tuple(json.loads(row["trajectory"] or "[]")),
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
