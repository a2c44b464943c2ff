"""Tool-use and agentic modes driven by a scripted model through every tool, budget and failure,
with the final code judged by the real judge."""

from __future__ import annotations

import asyncio
import copy
import json
import os
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from typer.testing import CliRunner

from codefront.agents import agentic, tool_use
from codefront.agents.context import Budgets, ModeContext
from codefront.harness.cli import app
from codefront.harness.eval.evaluation import Evaluation, RunKey
from codefront.harness.eval.recorder import Recorder
from codefront.harness.executors import Placed
from codefront.harness.executors.local import LocalScorer
from codefront.harness.judge.judge import JudgeOptions, judge_async
from codefront.harness.models.client import ChatClient, Completion, ToolCall
from codefront.harness.models.errors import EndpointError
from codefront.harness.models.spec import ModelSpec
from codefront.harness.results.store import Store
from codefront.records import Attempt, Call, Problem, Test, Verdict
from codefront.sandbox.local import LocalBackend
from codefront.tools.python_repl import PythonRepl, ReplLimits

ADD = Problem(
    id="add",
    statement="Read two integers a and b; print a + b.",
    tests=tuple(Test(f"{a} {b}\n", f"{a + b}\n") for a, b in [(1, 2), (5, 7), (-3, 3), (10**12, 1)]),
    public_tests=(Test("1 2\n", "3\n"), Test("5 7\n", "12\n")),
    time_limit_s=1.0,
    memory_limit_mb=256,
)
TWICE = Problem(
    id="twice",
    statement="Return twice x.",
    tests=(Test("3", "6"), Test("-2", "-4"), Test("0", "0")),
    test_type="functional",
    func_name="twice",
    starter_code="class Solution:\n    def twice(self, x: int) -> int:\n        ",
    public_tests=(Test("3", "6"),),
    time_limit_s=1.0,
    memory_limit_mb=256,
)
RIGHT = "a, b = map(int, input().split())\nprint(a + b)\n"
WRONG = "a, b = map(int, input().split())\nprint(a - b)\n"


def reply(text: str = "", *calls: tuple[str, dict | str], tokens: int = 10) -> Completion:
    """One scripted model reply: text and native tool calls (arguments as a dict, or raw JSON text)."""
    tool_calls = tuple(
        ToolCall(f"call-{i}", name, args if isinstance(args, str) else json.dumps(args))
        for i, (name, args) in enumerate(calls)
    )
    return Completion(text, "tool_calls" if calls else "stop", 50, tokens, 0.01, None, tool_calls, "scripted")


class Scripted:
    """A ChatClient that replays replies in order (an exception in the list is raised instead)."""

    def __init__(self, replies: list[Completion | Exception], delay: float = 0.0) -> None:
        self.replies, self.delay = list(replies), delay
        self.requests: list[tuple[list[dict], list[dict] | None]] = []

    async def chat(self, messages: list[dict], tools: list[dict] | None = None, **overrides) -> Completion:
        self.requests.append((copy.deepcopy(messages), tools))
        await asyncio.sleep(self.delay)
        item = self.replies.pop(0)
        if isinstance(item, Exception):
            raise item
        return item


class Tracking(LocalBackend):
    """Remembers every workspace it made, to check that each was closed."""

    def __init__(self) -> None:
        self.opened: list[str] = []

    async def open(self):
        sandbox = await super().open()
        self.opened.append(sandbox.workspace)
        return sandbox


def context(client, protocol: str = "native", backend=None, **budgets) -> ModeContext:
    budgets = {"tool_timeout_s": 3.0, "tool_output_chars": 2000, **budgets}
    return ModeContext(client, backend or Tracking(), None, protocol, Budgets(**budgets))


async def verdict(problem: Problem, attempt: Attempt) -> Verdict:
    return (await judge_async(problem, attempt.code, LocalBackend())).verdict


def tools_of(attempt: Attempt) -> list[tuple[str, bool]]:
    return [(e.name, e.error) for e in attempt.trajectory if e.role == "tool"]


def assert_closed(ctx: ModeContext) -> None:
    assert ctx.sandbox.opened and not any(os.path.exists(w) for w in ctx.sandbox.opened)


def repl_servers() -> list[str]:
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    return [line for line in ps.splitlines() if "repl_server.py start" in line]


# ---- the python tool's session ----


async def test_repl_keeps_state_resets_and_enforces_limits():
    sandbox = await LocalBackend().open()
    repl = PythonRepl(sandbox, ReplLimits(timeout_s=1.0, output_chars=100))
    try:
        assert await repl.run("x = 41\nimport math") == "(no output)"
        assert await repl.run("x + 1") == "42\n"
        assert await repl.run("print(math.sqrt(16))") == "4.0\n"
        flood = await repl.run("print('y' * 10000)")
        assert flood == f"{'y' * 66}\n[... 9901 characters cut ...]\n{'y' * 33}\n"
        started = time.monotonic()
        slow = await repl.run("while True:\n    x = x")
        assert "TimeoutError" in slow and time.monotonic() - started < 5
        assert await repl.run("x") == "41\n"  # a soft timeout keeps the session
        error = await repl.run("def f():\n    return 1 / 0\nf()")
        assert error.startswith('Traceback (most recent call last):\n  File "<cell 7>", line 3')
        assert error.endswith("DivisionError: division by zero\n") and "characters cut" in error
        assert "SystemExit" in await repl.run("raise SystemExit(3)")
        assert await repl.run("x") == "41\n"
        assert "MemoryError" in await repl.run("big = bytearray(4 * 1024**3)")
        stubborn = "import itertools\nwhile True:\n    try:\n        for _ in itertools.count(): pass\n    except BaseException:\n        pass"
        assert "did not stop at its timeout" in await repl.run(stubborn)
        assert "'x' is not defined" in await repl.run("x")  # killed: a fresh session
        await repl.run("x = 1")
        assert "'x' is not defined" in await repl.run("x", reset=True)
        assert "fresh session" in await repl.run("import os; os._exit(1)")
        assert await repl.run("2 + 2") == "4\n"
    finally:
        await repl.close()
        await sandbox.close()
    await asyncio.sleep(0.1)
    assert not [s for s in repl_servers() if sandbox.workspace in s]


# ---- tool use ----


async def test_tool_use_native_runs_python_then_answers_and_is_judged():
    client = Scripted([
        reply("Let me compute.", ("python", {"code": "x = 6 * 7"})),
        reply("", ("python", {"code": "x"}), ("python", {"code": "print(x + 1)"})),
        reply(f"The answer:\n```python\n{RIGHT}```"),
    ])  # fmt: skip
    ctx = context(client)
    attempt = await tool_use.solve(ADD, ctx)
    assert (
        attempt.code == RIGHT.strip("\n") and attempt.finish_reason == "answered" and not attempt.infra_error
    )
    assert (attempt.prompt_tokens, attempt.completion_tokens) == (150, 30)
    assert [e.role for e in attempt.trajectory] == [
        "system", "user", "assistant", "tool", "assistant", "tool", "tool", "assistant", "end"
    ]  # fmt: skip
    results = [e.result for e in attempt.trajectory if e.role == "tool"]
    assert results == ["(no output)", "42\n", "43\n"]
    assert all(e.duration_s >= 0 and e.t_start >= 0 for e in attempt.trajectory)
    assert attempt.trajectory[2].tool_calls == (Call("call-0", "python", '{"code": "x = 6 * 7"}'),)
    messages, tools = client.requests[2]
    assert [t["function"]["name"] for t in tools] == ["python"]
    assert messages[-1] == {"role": "tool", "tool_call_id": "call-1", "content": "43\n"}
    assert messages[2]["tool_calls"][0]["function"] == {
        "name": "python",
        "arguments": '{"code": "x = 6 * 7"}',
    }
    assert await verdict(ADD, attempt) == Verdict.AC
    assert_closed(ctx)


async def test_tool_use_text_protocol_replies_with_outputs():
    client = Scripted([
        reply("Check:\n```python-exec\nprint(sum([5, 7]))\n```\n"),
        reply(f"Final:\n```python\n{WRONG}```"),
    ])  # fmt: skip
    attempt = await tool_use.solve(ADD, context(client, "text"))
    first, tools = client.requests[0]
    assert tools is None and "```python-exec" in first[0]["content"]
    assert client.requests[1][0][-1] == {"role": "user", "content": "Output of python:\n```text\n12\n```"}
    assert tools_of(attempt) == [("python", False)] and attempt.finish_reason == "answered"
    assert await verdict(ADD, attempt) == Verdict.WA


async def test_tool_use_malformed_calls_become_errors_and_the_episode_goes_on():
    client = Scripted([
        reply("", ("python", "{not json"), ("rm_rf", {}), ("python", {"source": "1"}), ("python", {"code": 5})),
        reply("", ("python", {"code": "import nope"})),
        reply(f"```python\n{RIGHT}```"),
    ])  # fmt: skip
    attempt = await tool_use.solve(ADD, context(client))
    results = [e.result for e in attempt.trajectory if e.role == "tool"]
    assert "not valid JSON" in results[0]
    assert "unknown tool 'rm_rf'" in results[1] and "python" in results[1]
    assert "unknown source" in results[2] and "missing code" in results[2]
    assert "code must be a string" in results[3]
    assert "ModuleNotFoundError" in results[4]
    assert tools_of(attempt) == [
        ("python", True),
        ("rm_rf", True),
        ("python", True),
        ("python", True),
        ("python", False),
    ]
    assert await verdict(ADD, attempt) == Verdict.AC


async def test_tool_use_step_budget_ends_and_judges_the_last_code_block():
    client = Scripted([
        reply(f"Draft:\n```python\n{WRONG}```", ("python", {"code": "1"})),
        reply("", ("python", {"code": "2"})),
        reply("", ("python", {"code": "3"})),
    ])  # fmt: skip
    attempt = await tool_use.solve(ADD, context(client, max_steps=2))
    assert attempt.finish_reason == "max_steps" and len(tools_of(attempt)) == 2
    assert attempt.trajectory[-1].role == "end" and attempt.trajectory[-1].reason == "max_steps"
    assert attempt.code == WRONG.strip("\n") and await verdict(ADD, attempt) == Verdict.WA


async def test_tool_use_token_budget_ends_the_episode():
    client = Scripted([reply("", ("python", {"code": "1"}), tokens=100)] * 3)
    attempt = await tool_use.solve(ADD, context(client, max_tokens=150))
    assert (
        attempt.finish_reason == "max_tokens"
        and attempt.completion_tokens == 200
        and len(client.requests) == 2
    )
    assert attempt.code is None and attempt.no_code_reason == "no code block"
    assert (await verdict(ADD, attempt)) == Verdict.CE


async def test_tool_use_wall_time_interrupts_a_running_tool():
    client = Scripted([reply("", ("python", {"code": "import time\ntime.sleep(20)"}))])
    ctx = context(client, wall_time_s=1.0, tool_timeout_s=30.0)
    started = time.monotonic()
    attempt = await tool_use.solve(ADD, ctx)
    assert attempt.finish_reason == "wall_time" and time.monotonic() - started < 10
    assert attempt.code is None and [e.role for e in attempt.trajectory][-1] == "end"
    assert_closed(ctx)
    await asyncio.sleep(0.1)
    assert not [s for s in repl_servers() if any(w in s for w in ctx.sandbox.opened)]


async def test_endpoint_error_mid_episode_is_an_infra_error_for_the_orchestrator(tmp_path):
    client = Scripted([reply("", ("python", {"code": "1"})), EndpointError("HTTP 503: overloaded")])
    ctx = context(client)
    with pytest.raises(EndpointError):
        await tool_use.solve(ADD, ctx)
    assert_closed(ctx)
    client = Scripted([reply("", ("list_files", {})), EndpointError("HTTP 503: overloaded")])
    ctx = context(client)
    with Store(tmp_path / "r.sqlite") as store:
        evaluation = agentic_evaluation(ctx, store, "run1")
        sample = await evaluation.sample(ADD, 0)
        assert sample.result is None and "503" in sample.attempt.infra_error
        assert [s.attempt.infra_error for s in store.samples()] == ["HTTP 503: overloaded"]
        assert store.finished("run1", "key", "agentic") == set()  # retried on resume
    assert_closed(ctx)


def agentic_evaluation(ctx: ModeContext, store: Store, run_id: str) -> Evaluation:
    """The agentic mode over `ctx` as the evaluation's solver, judged here, recorded in `store`."""

    async def solver(problem, index: int) -> Placed:
        return Placed(await agentic.solve(problem, ctx), "local")

    key = RunKey(run_id, "scripted", "key", "agentic")
    return Evaluation(key, solver, LocalScorer(ctx.sandbox, JudgeOptions()), Recorder(store), concurrency=1)


# ---- agentic ----


async def test_agentic_native_uses_every_tool_then_submits():
    client = Scripted([
        reply("Look around.", ("list_files", {})),
        reply("", ("read_file", {"path": "tests/public/1.in"}), ("write_file", {"path": "solution.py", "content": WRONG})),
        reply("", ("run_public_tests", {})),
        reply("", ("edit_file", {"path": "solution.py", "old": "a - b", "new": "a + b"})),
        reply("", ("shell", {"command": "python3 solution.py < tests/public/2.in; echo oops >&2"})),
        reply("", ("run_public_tests", {})),
        reply("Done.", ("submit", {})),
    ])  # fmt: skip
    ctx = context(client, max_steps=10)
    attempt = await agentic.solve(ADD, ctx)
    assert attempt.finish_reason == "submitted" and attempt.code == RIGHT
    assert [name for name, _ in tools_of(attempt)] == [
        "list_files", "read_file", "write_file", "run_public_tests", "edit_file", "shell", "run_public_tests", "submit"
    ]  # fmt: skip
    results = {i: e.result for i, e in enumerate(e for e in attempt.trajectory if e.role == "tool")}
    assert results[0] == "tests/public/1.in\ntests/public/1.out\ntests/public/2.in\ntests/public/2.out"
    assert results[1] == "1 2\n" and results[2] == f"wrote {len(WRONG)} bytes to solution.py"
    assert (
        results[3].startswith("0/2 public tests passed")
        and "FAILED, WA" in results[3]
        and "expected: '3\\n'" in results[3]
    )
    assert results[4] == "edited solution.py"
    assert results[5] == "exit status 0\nstdout:\n12\nstderr:\noops"
    assert results[6].startswith("2/2 public tests passed")
    _, tools = client.requests[0]
    assert {t["function"]["name"] for t in tools} == {
        "list_files", "read_file", "write_file", "edit_file", "shell", "run_public_tests", "submit"
    }  # fmt: skip
    assert await verdict(ADD, attempt) == Verdict.AC
    assert_closed(ctx)


async def test_agentic_malformed_calls_are_reported_and_the_episode_goes_on():
    client = Scripted([
        reply("", ("write_file", '{"path": "solution.py", "content": '), ("teleport", {"to": "mars"}),
              ("read_file", {"path": "missing.py"}), ("read_file", {"path": "../../etc/passwd"}),
              ("run_public_tests", {})),
        reply("", ("write_file", {"path": "solution.py", "content": "x = 1\nx = 1\n"}),
              ("edit_file", {"path": "solution.py", "old": "x = 1", "new": "x = 2"}),
              ("edit_file", {"path": "solution.py", "old": "y = 1", "new": "x = 2"}),
              ("edit_file", {"path": "nope.py", "old": "a", "new": "b"}), ("read_file", {"path": "tests"})),
        reply("", ("write_file", {"path": "solution.py", "content": "print(("}), ("run_public_tests", {})),
        reply("", ("write_file", {"path": "solution.py", "content": RIGHT}), ("submit", "{}")),
    ])  # fmt: skip
    attempt = await agentic.solve(ADD, context(client))
    tools = [e for e in attempt.trajectory if e.role == "tool"]
    errors = [(e.name, e.result) for e in tools if e.error]
    assert [name for name, _ in errors] == [
        "write_file", "teleport", "read_file", "read_file", "run_public_tests", "edit_file", "edit_file", "edit_file", "read_file"
    ]  # fmt: skip
    texts = [text for _, text in errors]
    assert "not valid JSON" in texts[0] and "unknown tool 'teleport'" in texts[1]
    assert texts[2] == "error: missing.py: no such file" and "relative to the workspace" in texts[3]
    assert texts[4] == "error: solution.py: no such file"
    assert (
        "occurs 2 times" in texts[5] and "was not found" in texts[6] and "nope.py: no such file" in texts[7]
    )
    assert texts[8].startswith("error: tests:")
    assert "does not compile" in tools[11].result and not tools[11].error
    assert attempt.finish_reason == "submitted" and await verdict(ADD, attempt) == Verdict.AC


async def test_agentic_never_submits_is_judged_on_the_last_file():
    client = Scripted([
        reply("", ("write_file", {"path": "solution.py", "content": WRONG})),
        reply("I think it is fine."),
        reply("", ("list_files", {})),
    ])  # fmt: skip
    attempt = await agentic.solve(ADD, context(client, max_steps=3))
    assert attempt.finish_reason == "max_steps" and attempt.code == WRONG
    nudges = [e.content for e in attempt.trajectory if e.role == "user"][1:]
    assert nudges == [agentic.NUDGE]
    assert await verdict(ADD, attempt) == Verdict.WA


async def test_agentic_without_a_file_falls_back_to_a_code_block_or_none():
    client = Scripted([reply(f"Here it is:\n```python\n{RIGHT}```"), reply("Bye.")])
    attempt = await agentic.solve(ADD, context(client, max_steps=2))
    assert attempt.code == RIGHT.strip("\n") and await verdict(ADD, attempt) == Verdict.AC
    client = Scripted([reply("Hmm."), reply("", ("list_files", {}))])
    attempt = await agentic.solve(ADD, context(client, max_steps=2))
    assert attempt.code is None and attempt.no_code_reason == "no solution.py was written, and no code block"
    assert attempt.finish_reason == "max_steps" and await verdict(ADD, attempt) == Verdict.CE


async def test_agentic_token_and_wall_time_budgets_end_gracefully():
    client = Scripted([reply("", ("write_file", {"path": "solution.py", "content": RIGHT}), tokens=500)] * 2)
    attempt = await agentic.solve(ADD, context(client, max_tokens=400))
    assert attempt.finish_reason == "max_tokens" and len(client.requests) == 1 and attempt.code == RIGHT
    client = Scripted([reply("", ("write_file", {"path": "solution.py", "content": WRONG}))] * 5, delay=0.4)
    ctx = context(client, wall_time_s=1.0)
    attempt = await agentic.solve(ADD, ctx)
    assert attempt.finish_reason == "wall_time" and 2 <= len(client.requests) <= 3 and attempt.code == WRONG
    assert attempt.latency_s < 3 and await verdict(ADD, attempt) == Verdict.WA
    assert_closed(ctx)


async def test_agentic_text_protocol_on_a_functional_problem():
    wrong = "class Solution:\n    def twice(self, x: int) -> int:\n        return x + x + 1\n"
    client = Scripted([
        reply(f"Writing it.\n```write_file solution.py\n{wrong}```\n"),
        reply("```run_public_tests\n```\n```edit_file solution.py\n        return x + x + 1\n=======\n"
              "        return x + x\n```"),
        reply("```shell\ncat solution.py | wc -l\n```\n```edit_file solution.py\nno separator\n```"),
        reply("```run_public_tests\n```\n```submit\n```"),
    ])  # fmt: skip
    attempt = await agentic.solve(TWICE, context(client, "text"))
    assert attempt.finish_reason == "submitted" and attempt.code == wrong.replace(" + 1", "")
    tools = [(e.name, e.result) for e in attempt.trajectory if e.role == "tool"]
    assert [n for n, _ in tools] == [
        "write_file",
        "run_public_tests",
        "edit_file",
        "shell",
        "edit_file",
        "run_public_tests",
        "submit",
    ]
    assert tools[1][1].startswith("0/1") and tools[3][1] == "exit status 0\nstdout:\n3"
    assert "missing new" in tools[4][1] and tools[5][1].startswith("1/1 public tests passed")
    system, task = client.requests[0][0][0]["content"], client.requests[0][0][1]["content"]
    assert "```edit_file <path>\n<old>\n=======\n<new>\n```" in system and "Solution().twice" in task
    assert client.requests[1][0][-1]["content"].startswith("Output of write_file:\n```text\nwrote")
    assert await verdict(TWICE, attempt) == Verdict.AC


async def test_an_unusable_sandbox_is_an_infra_error():
    class Broken(LocalBackend):
        async def open(self):
            from codefront.sandbox.base import SandboxError

            raise SandboxError("engine down")

    attempt = await agentic.solve(ADD, context(Scripted([]), backend=Broken()))
    assert attempt.code is None and attempt.infra_error == "sandbox: engine down"


# ---- the real client against a loopback OpenAI-compatible server ----


class Loopback(BaseHTTPRequestHandler):
    script: list[dict] = []
    received: list[dict] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).received.append(body)
        message = type(self).script.pop(0)
        payload = {"id": "x", "object": "chat.completion", "created": 0, "model": body["model"],
                   "choices": [{"index": 0, "message": {"role": "assistant", **message},
                                "finish_reason": "tool_calls" if message.get("tool_calls") else "stop"}],
                   "usage": {"prompt_tokens": 20, "completion_tokens": 7, "total_tokens": 27}}  # fmt: skip
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


async def test_tool_use_through_the_real_client_and_a_loopback_server():
    call = {
        "id": "abc",
        "type": "function",
        "function": {"name": "python", "arguments": '{"code": "3 * 14"}'},
    }
    Loopback.script = [{"content": None, "tool_calls": [call]}, {"content": f"```python\n{RIGHT}```"}]
    Loopback.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Loopback)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    spec = ModelSpec(
        "loop", "endpoint", f"http://127.0.0.1:{server.server_port}/v1", model="m", tool_protocol="native"
    )
    client = ChatClient(spec)
    try:
        attempt = await tool_use.solve(ADD, context(client))
    finally:
        await client.aclose()
        server.shutdown()
    assert [e.result for e in attempt.trajectory if e.role == "tool"] == ["42\n"]
    assert attempt.completion_tokens == 14 and attempt.finish_reason == "answered"
    first, second = Loopback.received
    assert first["tools"][0]["function"]["name"] == "python" and "tools" in second
    assert second["messages"][2]["tool_calls"] == [call]
    assert second["messages"][3] == {"role": "tool", "tool_call_id": "abc", "content": "42\n"}
    assert await verdict(ADD, attempt) == Verdict.AC


# ---- harness show ----


async def test_show_prints_a_stored_trajectory(tmp_path):
    client = Scripted([
        reply("Writing.", ("write_file", {"path": "solution.py", "content": RIGHT})),
        reply("", ("run_public_tests", {})),
        reply("", ("submit", {})),
    ])  # fmt: skip
    ctx = context(client)
    db = tmp_path / "r.sqlite"
    with Store(db) as store:
        evaluation = agentic_evaluation(ctx, store, "run7")
        sample = await evaluation.sample(ADD, 0)
    assert sample.result.verdict == Verdict.AC and sample.attempt.trajectory[-1].reason == "submitted"
    runner = CliRunner()
    for who in ("scripted", "run7"):
        result = runner.invoke(app, ["show", "--db", str(db), who, "add", "0"], env={"COLUMNS": "120"})
        assert result.exit_code == 0, result.output
        out = result.output
        assert "AC" in out and "write_file" in out and "2/2 public tests passed" in out and "submitted" in out
        assert out.index("tool write_file") < out.index("tool run_public_tests") < out.index("tool submit")
    missing = runner.invoke(app, ["show", "--db", str(db), "nobody", "add", "0"])
    assert missing.exit_code == 2 and "no sample" in missing.output


# ---- Docker ----


def containers() -> int:
    """This process's sandbox containers, running or not (other processes may use the engine too)."""
    from codefront.sandbox.docker_pool import OWNER_LABEL, owner

    cmd = ["docker", "ps", "-aq", "--filter", f"label={OWNER_LABEL}={owner()}"]
    return len(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.split())


class Probing(Scripted):
    """Counts the containers while the episode runs."""

    async def chat(self, messages: list[dict], tools: list[dict] | None = None, **overrides) -> Completion:
        self.seen_containers = [*getattr(self, "seen_containers", []), containers()]
        return await super().chat(messages, tools, **overrides)


@pytest.fixture
def docker_backend():
    from codefront.sandbox.docker import DockerBackend, DockerConfig

    assert containers() == 0
    backend = DockerBackend(DockerConfig(pool_size=0))  # no warm pool: a closed sandbox's container goes
    yield backend
    backend.shutdown()
    assert containers() == 0


@pytest.mark.docker
async def test_agentic_in_docker_submits_and_leaves_no_container(docker_backend):
    client = Probing([
        reply("", ("write_file", {"path": "solution.py", "content": WRONG}), ("run_public_tests", {})),
        reply("", ("edit_file", {"path": "solution.py", "old": "a - b", "new": "a + b"}),
              ("shell", {"command": "python3 solution.py < tests/public/1.in && pwd && id -u"})),
        reply("", ("run_public_tests", {}), ("list_files", {})),
        reply("", ("submit", {})),
    ])  # fmt: skip
    attempt = await agentic.solve(ADD, context(client, backend=docker_backend))
    results = [e.result for e in attempt.trajectory if e.role == "tool"]
    assert results[1].startswith("0/2") and results[3] == "exit status 0\nstdout:\n3\n/workspace\n1000"
    assert results[4].startswith("2/2 public tests passed") and "solution.py" in results[5]
    assert attempt.finish_reason == "submitted" and await verdict(ADD, attempt) == Verdict.AC
    assert client.seen_containers == [1, 1, 1, 1] and containers() == 0


@pytest.mark.docker
async def test_docker_episodes_end_cleanly_on_budgets_and_endpoint_errors(docker_backend):
    client = Probing([reply("", ("shell", {"command": "sleep 30"}))])
    attempt = await agentic.solve(
        ADD, context(client, backend=docker_backend, wall_time_s=2.0, tool_timeout_s=20.0)
    )
    assert attempt.finish_reason == "wall_time" and attempt.code is None
    assert client.seen_containers == [1] and containers() == 0
    client = Probing(
        [reply("", ("write_file", {"path": "solution.py", "content": RIGHT})), EndpointError("down")]
    )
    with pytest.raises(EndpointError):
        await agentic.solve(ADD, context(client, backend=docker_backend))
    assert client.seen_containers == [1, 1] and containers() == 0


@pytest.mark.docker
async def test_tool_use_repl_in_docker(docker_backend):
    client = Probing([
        reply("", ("python", {"code": "import os\nn = 20\nos.getcwd(), os.getuid()"})),
        reply("", ("python", {"code": "n * 2"}), ("python", {"code": "n", "reset": True})),
        reply("", ("python", {"code": "import time\ntime.sleep(5)"})),
        reply(f"```python\n{RIGHT}```"),
    ])  # fmt: skip
    attempt = await tool_use.solve(ADD, context(client, backend=docker_backend, tool_timeout_s=1.0))
    results = [e.result for e in attempt.trajectory if e.role == "tool"]
    assert results[:2] == ["('/workspace', 1000)\n", "40\n"] and "NameError" in results[2]
    assert "TimeoutError" in results[3]
    assert await verdict(ADD, attempt) == Verdict.AC
    assert client.seen_containers == [1, 1, 1, 1] and containers() == 0


def test_mode_names_resolve():
    from codefront.agents.modes import mode_named

    assert mode_named("tool") is tool_use.solve and mode_named("agentic") is agentic.solve
    with pytest.raises(ValueError, match="reasoning, tool, agentic"):
        mode_named("chat")
