"""The three modes end to end with the real vLLM server and the embedded model, through the CLI.

One `harness serve smollm2-135m` runs for the module; every `harness run` below finds and reuses it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from codefront.harness.models.serve import running_servers
from codefront.harness.results.store import Store

pytestmark = [pytest.mark.vllm, pytest.mark.slow]
HARNESS = str(Path(sys.executable).with_name("harness"))
PROBLEMS = "ledger-totals,card-trader"  # one stdin, one functional


def harness(*args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run([HARNESS, *args], capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def served() -> Iterator[None]:
    server = subprocess.Popen(
        [HARNESS, "serve", "smollm2-135m"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    deadline = time.monotonic() + 600
    while not _healthy():
        assert server.poll() is None, server.stdout.read()
        assert time.monotonic() < deadline, "vLLM did not come up in 10 minutes"
        time.sleep(2)
    yield
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=120)


def _healthy() -> bool:
    import httpx

    for info in running_servers():
        if info.served_name != "smollm2-135m":
            continue
        try:
            return httpx.get(f"{info.base_url.removesuffix('/v1')}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False
    return False


def run_mode(mode: str, db: Path, *extra: str) -> list:
    out = harness(
        "run", "--mode", mode, "--model", "smollm2-135m", "--problems", PROBLEMS, "--db", str(db), *extra
    )
    assert out.returncode == 0, out.stdout + out.stderr
    with Store(db) as store:
        return [s for s in store.samples(mode=mode)]


def test_reasoning_mode_stores_judged_samples_and_resumes(served, tmp_path):
    db = tmp_path / "r.sqlite"
    samples = run_mode("reasoning", db, "--samples", "2")
    assert sorted((s.problem, s.index) for s in samples) == sorted(
        (p, i) for p in PROBLEMS.split(",") for i in range(2)
    )
    for s in samples:
        assert s.attempt.infra_error == "" and s.result is not None
        assert s.attempt.completion and s.attempt.completion_tokens > 0 and s.attempt.prompt
        assert s.result.verdict in {"AC", "WA", "TLE", "MLE", "RE", "OLE", "CE"}
        assert s.model_key and s.result.levels == 4
    again = harness("run", "--mode", "reasoning", "--model", "smollm2-135m", "--problems", PROBLEMS,
                    "--db", str(db), "--samples", "2")  # fmt: skip
    assert again.returncode == 0 and "0 to go" in again.stdout
    report = harness("report", "--db", str(db), "--json")
    rows = json.loads(report.stdout)
    assert [(r["model"], r["mode"], r["samples"]) for r in rows] == [("smollm2-135m", "reasoning", 4)]


def test_tool_mode_runs_episodes(served, tmp_path):
    samples = run_mode("tool", tmp_path / "t.sqlite", "--max-steps", "3", "--max-tokens", "1500")
    assert len(samples) == 2
    for s in samples:
        assert s.attempt.infra_error == "" and s.result is not None
        assert [m.role for m in s.attempt.trajectory][:2] == ["system", "user"]
        assert any(m.role == "assistant" for m in s.attempt.trajectory)


def test_agentic_mode_runs_in_docker_and_cleans_up(served, tmp_path):
    client = docker.from_env()
    before = len(client.containers.list(all=True))
    samples = run_mode("agentic", tmp_path / "a.sqlite", "--max-steps", "3", "--max-tokens", "1500")
    assert len(samples) == 2
    for s in samples:
        assert s.attempt.infra_error == "" and s.result is not None
        assert s.attempt.finish_reason in {"submitted", "max_steps", "max_tokens", "wall_time", "answered"}
    assert len(client.containers.list(all=True)) == before
    shown = harness("show", "--db", str(tmp_path / "a.sqlite"), "smollm2-135m", samples[0].problem, "0")
    assert shown.returncode == 0 and "assistant" in shown.stdout


def test_many_seeded_requests_at_once_are_served_and_sample_alike_again(served, tmp_path):
    """The starter tier at once: more prompt tokens than one prefill chunk, each request with its
    sample's seed. vLLM on the CPU dies on a seeded request whose prefill was chunked ("CPU Generator
    does not use offset"), so the harness serves whole prefills; the same configuration run into
    another store then samples the same completions."""
    models = tmp_path / "models.yaml"
    models.write_text("models:\n  smollm2-135m: {max_tokens: 96}\n")  # short answers: the point is the batch
    env = {**os.environ, "CODEFRONT_MODELS": str(models)}

    def completions(db: Path) -> dict[str, str]:
        out = subprocess.run([HARNESS, "run", "--model", "smollm2-135m", "--difficulty", "starter", "--db", str(db)],
                             capture_output=True, text=True, timeout=900, env=env)  # fmt: skip
        assert out.returncode == 0, out.stdout + out.stderr
        with Store(db) as store:
            samples = list(store.samples())
        assert len(samples) == 10 and not any(s.attempt.infra_error for s in samples)
        return {s.problem: s.attempt.completion for s in samples}

    assert completions(tmp_path / "a.sqlite") == completions(tmp_path / "b.sqlite")
