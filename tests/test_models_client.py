"""ChatClient against a loopback OpenAI-compatible server that plays a script of replies."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from codefront.harness.models import ChatClient, EndpointError, ModelSpec, RetryPolicy

FAST_RETRY = RetryPolicy(max_attempts=3, initial_s=0.01, max_s=0.05, jitter_s=0.01)


def reply_body(text: str = "hello", tool_calls: list[dict] | None = None, model: str = "m") -> dict:
    message: dict = {"role": "assistant", "content": text}
    if tool_calls:
        message["tool_calls"] = tool_calls
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [
            {"index": 0, "message": message, "finish_reason": "tool_calls" if tool_calls else "stop"}
        ],
        "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18},
    }


class ScriptedServer:
    """Each POST takes the next step of the script: ("ok", body), ("status", code),
    ("slow", seconds), ("drop",). When the script runs out, it answers ("ok", reply_body())."""

    def __init__(self, script: list[tuple] | None = None, delay_s: float = 0.0) -> None:
        self.script = list(script or [])
        self.delay_s = delay_s
        self.requests: list[dict] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def next_step(self, body: dict) -> tuple:
        with self.lock:
            self.requests.append(body)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            return self.script.pop(0) if self.script else ("ok", reply_body())

    def done(self) -> None:
        with self.lock:
            self.in_flight -= 1

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                step = server.next_step(body)
                try:
                    time.sleep(server.delay_s)
                    self.play(step)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up on a slow reply
                finally:
                    server.done()

            def play(self, step: tuple) -> None:
                if step[0] == "drop":
                    return  # HTTP/1.0: the connection closes with no response at all
                if step[0] == "slow":
                    time.sleep(step[1])
                    step = ("ok", reply_body())
                code, payload = (
                    (200, step[1]) if step[0] == "ok" else (step[1], {"error": {"message": "scripted"}})
                )
                data = json.dumps(payload).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler


@pytest.fixture
def server_factory() -> Iterator:
    servers: list[ScriptedServer] = []

    def make(script: list[tuple] | None = None, delay_s: float = 0.0) -> ScriptedServer:
        server = ScriptedServer(script, delay_s)
        server.thread.start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.httpd.shutdown()
        server.httpd.server_close()


def client_for(server: ScriptedServer, **options: object) -> ChatClient:
    spec = ModelSpec(
        name="loop",
        kind="endpoint",
        where=server.base_url,
        model="m",
        temperature=0.3,
        max_tokens=64,
        system_prompt="Be brief.",
        tool_protocol="native",
    )
    return ChatClient(spec, retry=options.pop("retry", FAST_RETRY), **options)


USER = [{"role": "user", "content": "hi"}]


async def test_success_records_text_usage_and_sends_the_model_settings(server_factory) -> None:
    server = server_factory()
    completion = await client_for(server).chat(USER, top_k=5)
    assert completion.text == "hello"
    assert completion.finish_reason == "stop"
    assert (completion.prompt_tokens, completion.completion_tokens) == (11, 7)
    assert completion.model == "m" and completion.attempts == 1 and completion.cost_usd is None
    assert completion.latency_s > 0
    sent = server.requests[0]
    assert sent["model"] == "m" and sent["temperature"] == 0.3 and sent["max_tokens"] == 64
    assert sent["top_k"] == 5, "parameters the SDK does not know still reach the server"
    assert sent["messages"] == [{"role": "system", "content": "Be brief."}, *USER]


@pytest.mark.parametrize("failure", [("status", 429), ("status", 500), ("drop",), ("slow", 3.0)])
async def test_transient_failure_then_success(server_factory, failure: tuple) -> None:
    server = server_factory([failure])
    completion = await client_for(server, timeout_s=0.5).chat(USER)
    assert completion.text == "hello"
    assert completion.attempts == 2
    assert len(server.requests) == 2


async def test_exhausted_retries_raise_one_endpoint_error(server_factory) -> None:
    server = server_factory([("status", 503)] * 3)
    with pytest.raises(EndpointError) as caught:
        await client_for(server).chat(USER)
    assert caught.value.status_code == 503 and caught.value.attempts == 3
    assert "after 3 attempts" in str(caught.value)
    assert len(server.requests) == 3


async def test_no_retry_on_400(server_factory) -> None:
    server = server_factory([("status", 400)])
    with pytest.raises(EndpointError) as caught:
        await client_for(server).chat(USER)
    assert caught.value.status_code == 400 and caught.value.attempts == 1
    assert len(server.requests) == 1


async def test_concurrency_is_bounded_by_the_semaphore(server_factory) -> None:
    server = server_factory(delay_s=0.15)
    client = client_for(server, semaphore=asyncio.Semaphore(2))
    completions = await asyncio.gather(*(client.chat(USER) for _ in range(8)))
    assert len(completions) == 8 and len(server.requests) == 8
    assert server.max_in_flight == 2


async def test_native_tool_calls_are_parsed(server_factory) -> None:
    call = {
        "id": "call_1",
        "type": "function",
        "function": {"name": "run_tests", "arguments": '{"file": "a.py"}'},
    }
    server = server_factory([("ok", reply_body(text="", tool_calls=[call]))])
    tools = [{"type": "function", "function": {"name": "run_tests", "parameters": {"type": "object"}}}]
    completion = await client_for(server).chat(USER, tools=tools)
    assert completion.finish_reason == "tool_calls" and completion.text == ""
    (parsed,) = completion.tool_calls
    assert (parsed.id, parsed.name, json.loads(parsed.arguments_json)) == (
        "call_1",
        "run_tests",
        {"file": "a.py"},
    )
    assert server.requests[0]["tools"] == tools


async def test_tools_refused_for_text_protocol_models(server_factory) -> None:
    server = server_factory()
    spec = ModelSpec(name="t", kind="endpoint", where=server.base_url, model="m", tool_protocol="text")
    with pytest.raises(ValueError, match="tool_protocol text"):
        await ChatClient(spec).chat(USER, tools=[{"type": "function", "function": {"name": "x"}}])
    assert server.requests == []


async def test_litellm_route_retries_and_reports(server_factory, monkeypatch) -> None:
    server = server_factory([("status", 429)])
    monkeypatch.setenv("LOOP_KEY", "sk-test")
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    spec = ModelSpec(name="api", kind="litellm", where="openai/m", model="openai/m", api_key_env="LOOP_KEY")
    completion = await ChatClient(spec, retry=FAST_RETRY).chat(USER)
    assert completion.text == "hello" and completion.attempts == 2
    assert (completion.prompt_tokens, completion.completion_tokens) == (11, 7)
    assert server.requests[-1]["model"] == "m"
