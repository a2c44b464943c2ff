"""A scripted OpenAI-compatible endpoint on 127.0.0.1 and a small problem file, for sweep tests.

Model `good` answers every problem right and `bad` wrong; with tools offered, a first turn calls
`python` once (so tool mode runs code in a sandbox) and the next answers. `/v1/models` lists both.
Model `refused` gets HTTP 400 for every request (an endpoint that turns the run down)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ANSWERS = {
    "good": "a, b = map(int, input().split())\nprint(a + b)\n",
    "bad": "a, b = map(int, input().split())\nprint(a - b)\n",
}
REFUSED = "refused"
PROBLEMS = "problems:\n" + "".join(
    f"  - id: add{n}\n    statement: Read a and b; print a + b.\n    time_limit: 2\n"
    f'    public_tests: [{{input: "1 2\\n", output: "3\\n"}}]\n'
    f'    tests: [{{input: "{n} 1\\n", output: "{n + 1}\\n"}}, {{input: "5 {n}\\n", output: "{n + 5}\\n"}}]\n'
    for n in range(1, 4)
)


class Scripted(BaseHTTPRequestHandler):
    delay_s = 0.0
    """Seconds each completion takes, so a sweep can be caught in flight."""
    seeds: list[tuple[str, int | None]] = []
    """(model, the request's seed) of every completion asked for, in order."""

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, payload: dict, status: int = 200) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path != "/v1/models":
            return self._send({}, 404)
        self._send({"object": "list", "data": [{"id": name, "object": "model", "owned_by": "test"}
                                                for name in ANSWERS]})  # fmt: skip

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Scripted.seeds.append((body["model"], body.get("seed")))
        time.sleep(self.delay_s)
        if body["model"] == REFUSED:
            return self._send({"error": {"message": "this endpoint refuses the request"}}, 400)
        tool_turn = body.get("tools") and body["messages"][-1]["role"] != "tool"
        if tool_turn:
            call = {
                "id": "c1",
                "type": "function",
                "function": {"name": "python", "arguments": '{"code": "6 * 7"}'},
            }
            message = {"role": "assistant", "content": None, "tool_calls": [call]}
        else:
            message = {"role": "assistant", "content": f"```python\n{ANSWERS[body['model']]}```"}
        self._send({"id": "x", "object": "chat.completion", "created": 0, "model": body["model"],
                    "choices": [{"index": 0, "message": message,
                                 "finish_reason": "tool_calls" if tool_turn else "stop"}],
                    "usage": {"prompt_tokens": 20, "completion_tokens": 7, "total_tokens": 27}})  # fmt: skip


def serve() -> ThreadingHTTPServer:
    """Started on a free loopback port in a daemon thread; `shutdown()` it when done."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Scripted)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def write_fixture(folder: Path, server: ThreadingHTTPServer) -> tuple[Path, Path]:
    """(models.yaml with `good` and `bad` on the server, a problem file of three problems)."""
    url = f"http://127.0.0.1:{server.server_port}/v1"
    models = folder / "models.yaml"
    models.write_text("models:\n" + "".join(f"  {name}: {{base_url: '{url}', model: {name}, tool_protocol: native}}\n"
                                          for name in (*ANSWERS, REFUSED)))  # fmt: skip
    problems = folder / "problems.yaml"
    problems.write_text(PROBLEMS)
    return models, problems
