"""Where each stored sample's episode and judging ran, in a side table of the results store.

Written by the driver right after the sample, through its own connection to the same SQLite file
(WAL: concurrent with the store's). `records` counts how often the driver stored that sample: 1 in a
sweep that met no infra error, whatever nodes died, is the proof of exactly-once storing."""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

from codefront.harness.records import Sample

TABLE = """CREATE TABLE IF NOT EXISTS placements (
    run_id TEXT, model_key TEXT, mode TEXT, problem TEXT, sample INTEGER,
    executor TEXT, episode_node TEXT, judge_node TEXT, records INTEGER,
    PRIMARY KEY (run_id, model_key, mode, problem, sample, executor))"""


class PlacementLog:
    def __init__(self, path: Path, executor: str) -> None:
        self.executor = executor
        self.db = sqlite3.connect(path, timeout=60, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA busy_timeout=60000")
        self.db.execute(TABLE)
        self.by_node: Counter[tuple[str, str]] = Counter()

    def record(self, sample: Sample, episode_node: str, judge_node: str | None) -> None:
        """A sample stored again (an infra error a resumed run retried) keeps its row, counted."""
        self.db.execute(
            "INSERT INTO placements VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1) ON CONFLICT DO UPDATE SET "
            "episode_node=excluded.episode_node, judge_node=excluded.judge_node, records=records+1",
            (sample.run_id, sample.model_key, sample.mode, sample.problem, sample.index, self.executor,
             episode_node, judge_node),
        )  # fmt: skip
        self.by_node[("episode", episode_node)] += 1
        if judge_node is not None:
            self.by_node[("judge", judge_node)] += 1

    def close(self) -> None:
        self.db.close()
