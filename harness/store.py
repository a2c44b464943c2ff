"""SQLite results store: one row per (run, model weights, mode, problem, sample), written as each
sample finishes, so Ctrl-C or a crash loses nothing finished and re-running resumes.

WAL mode and a busy timeout make concurrent writers (several `harness run` at once) safe. The file
carries its schema version (`PRAGMA user_version`); opening a store of an older version migrates it
in one transaction, and a newer one is refused.
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
from codefront.harness.records import Attempt, Degeneration, ModelRecord, Sample, Step

SCHEMA_VERSION = 3
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
)
MIGRATIONS = {
    # Version 1 (unversioned, the first release) kept why an episode ended as its end step's `content`;
    # version 2 names it `reason`. The end step is always a trajectory's last entry.
    1: """UPDATE samples SET trajectory = json_remove(
            json_set(trajectory, '$[#-1].reason', json_extract(trajectory, '$[#-1].content')), '$[#-1].content')
          WHERE json_extract(trajectory, '$[#-1].role') = 'end'""",
    # Version 3 counts how often judging a program failed (IE), so that retries are bounded.
    2: "CREATE TABLE IF NOT EXISTS judge_failures (key TEXT PRIMARY KEY, attempts INTEGER NOT NULL)",
}
"""The statement that takes a store from each version to the next."""


class StoreError(ValueError):
    """A file that cannot be used as a results store; the message names it."""


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
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA busy_timeout=60000")
            if self._version() != SCHEMA_VERSION:
                self._upgrade()
        except sqlite3.DatabaseError as e:
            self.db.close()
            raise StoreError(f"{self.path}: cannot open as a results store ({e})") from None
        except StoreError:
            self.db.close()
            raise

    def _version(self) -> int:
        """The file's schema version; 0 for a new file. The first release wrote no version: it is 1."""
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version == 0 and self.db.execute("SELECT 1 FROM sqlite_master WHERE name='samples'").fetchone():
            return 1
        return version

    def _upgrade(self) -> None:
        """Create or migrate the tables, once, whichever of several concurrent openers gets here first."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            version = self._version()
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path}: results store schema version {version} is newer than this codefront "
                    f"reads ({SCHEMA_VERSION}); upgrade codefront to open it"
                )
            if version == 0:  # a new file: today's tables
                for statement in TABLES:
                    self.db.execute(statement)
            else:
                for old in range(version, SCHEMA_VERSION):
                    self.db.execute(MIGRATIONS[old])
            self.db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            self.db.execute("COMMIT")
        except BaseException:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise

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
            "INSERT OR IGNORE INTO runs (run_id, config_hash, config, created_at) VALUES (?, ?, ?, ?)",
            (run_id, run_id, json.dumps(config, sort_keys=True, default=str), time.time()),
        )
        return run_id

    def record_model(self, model_key: str, name: str, identity: dict) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO models (model_key, name, identity) VALUES (?, ?, ?)",
            (model_key, name, json.dumps(identity, sort_keys=True)),
        )

    def models(self) -> list[ModelRecord]:
        rows = self.db.execute("SELECT model_key, name, identity FROM models ORDER BY model_key")
        return [ModelRecord(key, name, json.loads(identity)) for key, name, identity in rows]

    def finished(self, run_id: str, model_key: str, mode: str) -> set[tuple[str, int]]:
        """(problem, sample) pairs already done. Infra errors are not done: a resumed run retries them."""
        rows = self.db.execute(
            "SELECT problem, sample FROM samples WHERE run_id=? AND model_key=? AND mode=? AND infra_error=''",
            (run_id, model_key, mode),
        )
        return {(problem, sample) for problem, sample in rows}

    def add(self, s: Sample) -> None:
        row = sample_row(s)
        names = ", ".join(row)
        values = ", ".join(f":{name}" for name in row)
        self.db.execute(f"INSERT OR REPLACE INTO samples ({names}) VALUES ({values})", row)

    def samples(
        self,
        model: str | None = None,
        mode: str | None = None,
        problem: str | None = None,
        index: int | None = None,
    ) -> Iterator[Sample]:
        """Stored samples, ordered by model, mode, problem and index; each filter given narrows them."""
        given = {"model": model, "mode": mode, "problem": problem, "sample": index}
        filters = {column: value for column, value in given.items() if value is not None}
        where = " WHERE " + " AND ".join(f"{column}=:{column}" for column in filters) if filters else ""
        cursor = self.db.execute(
            f"SELECT * FROM samples{where} ORDER BY model, mode, problem, sample", filters
        )
        names = [d[0] for d in cursor.description]
        for row in cursor:
            yield sample_from_row(dict(zip(names, row, strict=True)))

    def cached_result(self, key: str) -> JudgeResult | None:
        row = self.db.execute("SELECT result FROM judge_cache WHERE key=?", (key,)).fetchone()
        return JudgeResult.from_dict(json.loads(row[0])) if row else None

    def count_judge_failure(self, key: str) -> int:
        """Record one more failed judging (IE) of the program under `key`: how many there have been."""
        self.db.execute(
            "INSERT INTO judge_failures (key, attempts) VALUES (?, 1) "
            "ON CONFLICT(key) DO UPDATE SET attempts = attempts + 1",
            (key,),
        )
        return self.db.execute("SELECT attempts FROM judge_failures WHERE key=?", (key,)).fetchone()[0]

    def cache_result(self, key: str, result: JudgeResult) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO judge_cache (key, result) VALUES (?, ?)",
            (key, json.dumps(result.to_dict())),
        )


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
