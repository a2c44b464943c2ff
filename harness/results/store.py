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
from dataclasses import dataclass
from pathlib import Path

from codefront.harness.results.schema import MIGRATIONS, SCHEMA_VERSION, TABLES, sample_from_row, sample_row
from codefront.records import JudgeResult, ModelRecord, Sample

DEFAULT_DB = Path("runs/results.sqlite")
"""The store `harness run` writes and `harness report`, `harness show` read unless told otherwise."""


@dataclass(frozen=True)
class RunRecord:
    """A run as the store keeps it: the configuration its id hashes, and the environment of each
    session that added to it, oldest first."""

    run_id: str
    config: dict
    created_at: float
    sessions: tuple[dict, ...] = ()


class StoreError(ValueError):
    """A file that cannot be used as a results store; the message names it."""


def config_hash(config: dict) -> str:
    return hashlib.sha256(json.dumps(config, sort_keys=True, default=str).encode()).hexdigest()[:16]


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
                    for statement in MIGRATIONS[old]:
                        self.db.execute(statement)
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

    def start_run(self, config: dict, environment: dict) -> str:
        """The run's id is its config hash: the same command finds the same run and resumes it. Each
        call is a session of the run, kept with the environment it ran in."""
        run_id = config_hash(config)
        now = time.time()
        self.db.execute(
            "INSERT OR IGNORE INTO runs (run_id, config_hash, config, created_at) VALUES (?, ?, ?, ?)",
            (run_id, run_id, json.dumps(config, sort_keys=True, default=str), now),
        )
        self.db.execute("INSERT INTO sessions (run_id, started_at, environment) VALUES (?, ?, ?)",
                        (run_id, now, json.dumps(environment, sort_keys=True)))  # fmt: skip
        return run_id

    def runs(self) -> list[RunRecord]:
        sessions: dict[str, list[dict]] = {}
        for run_id, environment in self.db.execute(
            "SELECT run_id, environment FROM sessions ORDER BY started_at, rowid"
        ):
            sessions.setdefault(run_id, []).append(json.loads(environment))
        rows = self.db.execute("SELECT run_id, config, created_at FROM runs ORDER BY created_at, run_id")
        return [RunRecord(run_id, json.loads(config), created, tuple(sessions.get(run_id, ())))
                for run_id, config, created in rows]  # fmt: skip

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

    def record_placement(
        self, sample: Sample, executor: str, episode_node: str, judge_node: str | None
    ) -> None:
        """A sample stored again (an infra error a resumed run retried) keeps its row, counted."""
        self.db.execute(
            "INSERT INTO placements VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1) ON CONFLICT DO UPDATE SET "
            "episode_node=excluded.episode_node, judge_node=excluded.judge_node, records=records+1",
            (sample.run_id, sample.model_key, sample.mode, sample.problem, sample.index, executor,
             episode_node, judge_node),
        )  # fmt: skip
