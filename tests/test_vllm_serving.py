"""The embedded model end to end: GGUF conversion, a real vLLM server, chat through ChatClient,
reuse of a running server, and a stop that leaves no process behind. vLLM starts once per module."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, replace
from pathlib import Path

import pytest

from codefront.harness.models import (
    ServeError,
    ServerInfo,
    ensure_smollm2,
    load_registry,
    open_model,
    serving,
)
from codefront.harness.models.serve import _reusable, running_servers

NAME = "smollm2-135m"


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("codefront-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CODEFRONT_HOME", str(path))
        patch.delenv("CODEFRONT_MODELS", raising=False)
        patch.chdir(path)
        yield path


@pytest.fixture(scope="module")
def converted(home: Path) -> Path:
    start = time.monotonic()
    path = ensure_smollm2()
    print(f"\nconversion: {time.monotonic() - start:.1f} s")
    return path


class Server:
    """The module's one vLLM server, driven through `serving` on a loop of its own."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.context = serving(load_registry().get(NAME))
        start = time.monotonic()
        self.info: ServerInfo = self.loop.run_until_complete(self.context.__aenter__())
        print(f"\nserver start: {time.monotonic() - start:.1f} s")
        self.stopped = False

    def stop(self) -> None:
        if not self.stopped:
            self.stopped = True
            self.loop.run_until_complete(self.context.__aexit__(None, None, None))
            self.loop.close()


@pytest.fixture(scope="module")
def server(converted: Path) -> Iterator[Server]:
    running = Server()
    yield running
    running.stop()


@pytest.mark.vllm
def test_conversion_writes_a_servable_checkpoint(converted: Path, home: Path) -> None:
    assert converted == home / "models" / NAME
    names = {p.name for p in converted.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "chat_template.jinja"} <= names
    config = json.loads((converted / "config.json").read_text())
    assert "quantization_config" not in config and config["dtype"] == "bfloat16"
    assert "<|im_start|>" in (converted / "chat_template.jinja").read_text()
    assert not [p for p in converted.parent.iterdir() if p.name.startswith(".")], "no staging dir left"
    mtime = (converted / "model.safetensors").stat().st_mtime_ns
    assert ensure_smollm2() == converted and (converted / "model.safetensors").stat().st_mtime_ns == mtime


@pytest.mark.vllm
async def test_chat_through_open_model_reuses_the_running_server(server: Server) -> None:
    async with open_model(NAME, load_registry(), max_concurrency=4) as client:
        assert client.identity is not None and client.identity.weights_hash == server.info.weights_hash
        start = time.monotonic()
        completion = await client.chat(
            [{"role": "user", "content": "Write a Python function that adds two numbers."}]
        )
        print(f"\none request: {time.monotonic() - start:.2f} s, {completion.completion_tokens} tokens")
        assert completion.text.strip() and completion.model == NAME
        assert completion.prompt_tokens > 0 and 0 < completion.completion_tokens <= 1024
        assert completion.finish_reason in ("stop", "length")
        batch = await asyncio.gather(
            *(client.chat([{"role": "user", "content": f"Count to {n}."}], max_tokens=16) for n in range(4))
        )
        assert all(c.completion_tokens > 0 for c in batch)
    assert [s.pid for s in running_servers()] == [server.info.pid], "reused, not started a second time"
    assert group_alive(server.info.pid), "a reused server is left to its owner"


@pytest.mark.vllm
def test_failed_start_reports_the_log_tail(converted: Path) -> None:
    spec = replace(load_registry().get(NAME), name="broken", vllm_args=("--no-such-flag",))
    with pytest.raises(ServeError) as caught:
        asyncio.run(serving(spec, timeout_s=300).__aenter__())
    message = str(caught.value)
    assert "vLLM for broken exited with code" in message and "--no-such-flag" in message
    assert not list((Path(os.environ["CODEFRONT_HOME"]) / "servers").glob("broken-*.json"))


@pytest.mark.vllm
def test_stop_leaves_no_process_behind(server: Server) -> None:
    pid = server.info.pid
    server.stop()
    assert not group_alive(pid)
    assert running_servers() == []


def sleeper_state(tmp_path: Path, weights: str) -> tuple[subprocess.Popen, threading.Thread, Path]:
    """A stand-in server process in its own group, like vLLM's, reaped by a thread as its real
    parent would; and the state file that records it."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
    reaper = threading.Thread(target=proc.wait, daemon=True)
    reaper.start()
    info = ServerInfo(NAME, str(tmp_path), 9, proc.pid, weights, "f", str(tmp_path / "log"), 0.0)
    state = tmp_path / "state.json"
    state.write_text(json.dumps({k: v for k, v in asdict(info).items() if k != "reused"}))
    return proc, reaper, state


async def test_server_for_old_weights_is_stopped_not_reused(tmp_path: Path) -> None:
    proc, reaper, state = sleeper_state(tmp_path, weights="old")
    try:
        assert await _reusable(state, "new") is None
        reaper.join(10)
        assert proc.returncode == -signal.SIGTERM and not state.exists()
    finally:
        proc.kill()


async def test_dead_server_state_is_dropped(tmp_path: Path) -> None:
    proc, reaper, state = sleeper_state(tmp_path, weights="same")
    proc.kill()
    reaper.join(10)
    assert await _reusable(state, "same") is None and not state.exists()


def test_a_zombie_server_is_not_running(tmp_path):
    """A server record whose process has exited but not been reaped names no running server."""
    from dataclasses import asdict

    from codefront.harness.models.serve import ServerInfo

    zombie = subprocess.Popen(["sleep", "0"], start_new_session=True)
    deadline = time.monotonic() + 10
    while Path(f"/proc/{zombie.pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    (tmp_path / "servers").mkdir()
    info = ServerInfo("m", "/ckpt", 1, zombie.pid, "hash", "fp", str(tmp_path / "log"), 0.0)
    (tmp_path / "servers" / "m-fp.json").write_text(json.dumps(asdict(info)))
    assert running_servers(tmp_path) == []
    started = time.monotonic()  # and a run finding the record does not wait on it
    assert asyncio.run(_reusable(tmp_path / "servers" / "m-fp.json", "hash", timeout_s=30)) is None
    assert time.monotonic() - started < 5
    zombie.wait()
