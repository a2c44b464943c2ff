"""The local backend's fork server: programs forked from a warm interpreter behave as under
LocalSandbox.exec (stdin, stdout, stderr, exit status, a clean environment, timeouts that kill the
whole session, output caps), and a server that fails says so; the judge then starts runners afresh."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess

import pytest

from codefront.harness.judge.judge import JudgeOptions, JudgePool, judge_many
from codefront.records import Problem, Test, Verdict
from codefront.sandbox.base import SandboxError
from codefront.sandbox.forkserver import ForkServer
from codefront.sandbox.local import LocalBackend

PRELOAD = "import json, os, sys\nWARM = 'preloaded'\n"


def run_all(server: ForkServer, *calls):
    async def main():
        return await asyncio.gather(*(server.exec(*call) for call in calls))

    return asyncio.run(main())


def test_programs_get_their_own_stdin_stdout_stderr_and_status(monkeypatch):
    monkeypatch.setenv("CODEFRONT_TEST_SECRET", "sk-host-only")
    server = ForkServer(PRELOAD)
    echo = "data = sys.stdin.read()\nprint(WARM, len(data), json.dumps(dict(os.environ)))\nprint('err', file=sys.stderr)\nsys.exit(3)\n"
    try:
        results = run_all(server, *[(echo, b"x" * n, 10, 1 << 20) for n in (0, 300_000, 7)])
    finally:
        server.close()
    assert [r.returncode for r in results] == [3, 3, 3]
    assert run_all(server := ForkServer(PRELOAD), ("print(sys.argv)", None, 5, 100))[0].stdout == "['-c']\n"
    server.close()
    assert [r.stdout.split()[:2] for r in results] == [
        ["preloaded", "0"],
        ["preloaded", "300000"],
        ["preloaded", "7"],
    ]
    assert all("sk-host-only" not in r.stdout and r.stderr == "err\n" for r in results)


def test_a_timeout_kills_the_session_and_a_flood_is_capped():
    server = ForkServer(PRELOAD)
    stray = "os.system('sleep 4203 &')\nimport time\ntime.sleep(60)\n"
    try:
        slept, flooded = run_all(
            server, (stray, None, 1, 1 << 20), ("sys.stdout.write('9' * (1 << 22))", None, 10, 1000)
        )
    finally:
        server.close()
    assert slept.timed_out and not slept.ok
    assert flooded.truncated and len(flooded.stdout) == 1000
    assert subprocess.run(["pgrep", "-f", "sleep 4203"], capture_output=True).stdout == b""


def test_a_failed_preload_and_a_dead_server_are_sandbox_errors():
    broken = ForkServer("import no_such_module_here")
    with pytest.raises(SandboxError, match="no_such_module_here"):
        run_all(broken, ("print(1)", None, 5, 1000))
    broken.close()
    server = ForkServer(PRELOAD)
    assert run_all(server, ("print(WARM)", None, 5, 1000))[0].stdout == "preloaded\n"
    os.kill(server.process.pid, signal.SIGKILL)
    server.process.wait()
    with pytest.raises(SandboxError):
        run_all(server, ("print(WARM)", None, 5, 1000))
    server.close()


class BrokenServers(LocalBackend):
    started = 0

    def fork_server(self, preload: str) -> ForkServer:
        self.started += 1
        return ForkServer("raise SystemExit('no warm runner today')")


def test_the_judge_starts_runners_afresh_when_no_warm_one_can_run(caplog):
    add = Problem(id="add", statement="", tests=(Test("1 2\n", "3\n"), Test("5 7\n", "12\n")))
    codes = ["a, b = map(int, input().split())\nprint(a + b)\n", "print(0)\n"] * 2
    backend = BrokenServers()
    results = judge_many([(add, code) for code in codes], backend, JudgeOptions(), concurrency=1)
    assert [r.verdict for r in results] == [Verdict.AC, Verdict.WA] * 2
    assert [r for r in caplog.records if "no warm runner today" in r.getMessage()]
    assert backend.started == 1  # a server that never worked is not started again for every job


def test_the_judge_forks_its_runners_from_warm_ones(caplog):
    add = Problem(id="add", statement="", tests=(Test("1 2\n", "3\n"),))
    functional = Problem(
        id="f", statement="", tests=(Test("[1, 2]", "3"),), test_type="functional", func_name="add"
    )
    items = [
        (add, "a, b = map(int, input().split())\nprint(a + b)\n"),
        (
            functional,
            "class Solution:\n    def add(self, nums: List[int]) -> int:\n        return sum(nums)\n",
        ),
    ]
    assert [r.verdict for r in judge_many(items * 2, LocalBackend(), JudgeOptions())] == [Verdict.AC] * 4
    assert not [r for r in caplog.records if r.name == "codefront.harness.judge.warm"]


def test_a_server_killed_mid_run_is_a_sandbox_error_and_the_judge_judges_afresh():
    server = ForkServer(PRELOAD)

    async def kill_midway():
        running = asyncio.ensure_future(server.exec("import time\ntime.sleep(1)\nprint(1)", None, 10, 100))
        await asyncio.sleep(0.3)
        os.kill(server.process.pid, signal.SIGKILL)
        return await running

    with pytest.raises(SandboxError, match="died while the program ran"):
        asyncio.run(kill_midway())
    server.close()

    slow = Problem(id="slow", statement="", tests=(Test("", "done\n"),))
    pool = JudgePool(LocalBackend(), JudgeOptions())

    async def judge_while_its_server_dies():
        assert (await pool.judge(slow, "print('done')")).verdict == Verdict.AC  # the server is up
        judging = asyncio.ensure_future(pool.judge(slow, "import time\ntime.sleep(1)\nprint('done')"))
        await asyncio.sleep(0.3)
        (warm,) = pool.warm.servers.values()
        os.kill(warm.process.pid, signal.SIGKILL)
        return await judging

    try:
        assert asyncio.run(judge_while_its_server_dies()).verdict == Verdict.AC
    finally:
        pool.close()
