"""The Docker sandbox on a real engine: container policy, file ops, limits, clean-up on every exit
path, and verdicts identical to the local backend's."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from codefront.harness.judge.judge import JudgeOptions, judge, judge_async, judge_job, judge_many, run_job
from codefront.harness.judge.runner import wire
from codefront.harness.judge.uids import leased_uid
from codefront.records import Problem, Test, Verdict
from codefront.sandbox import PYTHON, SandboxError, backend_named, default_sandbox
from codefront.sandbox.docker import DockerBackend, DockerSandbox
from codefront.sandbox.docker_pool import LABEL, OWNER_LABEL, DockerConfig, owner, remove_strays
from codefront.sandbox.image import ImageSpec, build_image, docker_client
from codefront.sandbox.local import LocalBackend

pytestmark = pytest.mark.docker
ROOT = Path(__file__).resolve().parents[1]
ECHO = Problem(
    id="echo",
    statement="Print the line you read.",
    tests=tuple(Test(f"{w}\n", f"{w}\n") for w in ("a", "bb", "ccc")),
    time_limit_s=1.0,
    memory_limit_mb=128,
)
SOLVE_ECHO = "print(input())\n"
PROBE = """
import json, os, socket
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
try:
    open("/etc/probe", "w")
    root_writable = True
except OSError:
    root_writable = False
try:
    socket.create_connection(("1.1.1.1", 53), timeout=2)
    network = "reachable"
except OSError as e:
    network = type(e).__name__
print(json.dumps({
    "uid": os.getuid(), "gid": os.getgid(), "cap_eff": status["CapEff"].strip(),
    "no_new_privs": status["NoNewPrivs"].strip(), "seccomp": status["Seccomp"].strip(),
    "env": dict(os.environ), "root_writable": root_writable, "network": network,
    "interfaces": [name for _, name in socket.if_nameindex()],
}))
"""


def mine(client) -> set[str]:
    """Ids of the sandbox containers this test process owns."""
    return {c.id for c in client.containers.list(all=True, filters={"label": f"{OWNER_LABEL}={owner()}"})}


@pytest.fixture(scope="session")
def client():
    subprocess.run(["bash", str(ROOT / "scripts/docker-engine.sh")], check=True)
    build_image()
    return docker_client()


@pytest.fixture(scope="session")
def backend(client):
    backend = DockerBackend()
    yield backend
    backend.shutdown()
    assert mine(client) == set()


async def in_sandbox(backend: DockerBackend, work):
    sandbox = await backend.open()
    try:
        return await work(sandbox)
    finally:
        await sandbox.close()


def test_container_policy(backend, monkeypatch):
    monkeypatch.setenv("CODEFRONT_TEST_SECRET", "sk-host-only")
    result = asyncio.run(in_sandbox(backend, lambda s: s.exec([*PYTHON, "-c", PROBE])))
    probe = json.loads(result.stdout)
    assert (probe["uid"], probe["gid"]) == (1000, 1000)
    assert int(probe["cap_eff"], 16) == 0
    assert probe["no_new_privs"] == "1" and probe["seccomp"] == "2"
    assert probe["env"] == {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/workspace", "LANG": "C.UTF-8"}
    assert probe["root_writable"] is False
    assert probe["network"] != "reachable" and probe["interfaces"] == ["lo"]


def test_interpreter_matches_the_local_judge(backend):
    # The same Python release and sortedcontainers; the Debian build revision may differ (the
    # image takes the mirror's current bookworm packages, the host whatever it installed).
    versions = (
        "import platform, sortedcontainers; print(platform.python_version(), sortedcontainers.__version__)"
    )
    here = subprocess.run(["/usr/bin/python3", "-c", versions], capture_output=True, text=True, check=True)
    there = asyncio.run(in_sandbox(backend, lambda s: s.exec([*PYTHON, "-c", versions])))
    assert there.stdout == here.stdout


def test_process_and_memory_limits(client):
    backend = DockerBackend(DockerConfig(pids=32, memory_mb=128))
    fork_many = textwrap.dedent("""
        import os, signal
        count = 0
        try:
            for _ in range(200):
                if os.fork() == 0:
                    signal.pause()
                count += 1
        except OSError:
            pass
        print(count, flush=True)
        os.killpg(0, signal.SIGKILL)
    """)

    async def work(sandbox: DockerSandbox):
        forks = await sandbox.exec([*PYTHON, "-c", fork_many], timeout=30)
        hog = await sandbox.exec([*PYTHON, "-c", "x = b'x' * (512 << 20); print('survived')"], timeout=30)
        return forks, hog

    try:
        forks, hog = asyncio.run(in_sandbox(backend, work))
    finally:
        backend.shutdown()
    assert 0 < int(forks.stdout.split()[0]) < 32
    assert hog.returncode != 0 and "survived" not in hog.stdout


async def process_list(sandbox: DockerSandbox) -> str:
    """The command lines of every process in the sandbox's container."""
    return (await sandbox.exec(["sh", "-c", "cat /proc/[0-9]*/cmdline | tr '\\0' ' '"])).stdout


def host_processes(pattern: str) -> str:
    return subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True).stdout.strip()


def test_episode_workspace_keeps_state_and_is_size_limited(client):
    backend = DockerBackend(DockerConfig(workspace_mb=8))

    async def work(sandbox: DockerSandbox):
        await sandbox.write_file("tests/public/1.in", "a\n")
        await sandbox.exec(["sh", "-c", "echo state > notes.txt"])
        kept = await sandbox.exec(["cat", "notes.txt", "tests/public/1.in"])
        full = await sandbox.exec(["sh", "-c", "head -c 16000000 /dev/zero > big.bin"])
        return kept, full

    try:
        kept, full = asyncio.run(in_sandbox(backend, work))
    finally:
        backend.shutdown()
    assert kept.stdout == "state\na\n"
    assert full.returncode != 0 and "No space left" in full.stderr


def test_reused_container_is_reset(client):
    backend = DockerBackend(DockerConfig(pool_size=1))

    async def dirty(sandbox: DockerSandbox):
        await sandbox.write_file("secret.txt", "from the last user")
        await sandbox.exec(["sh", "-c", "echo x > /tmp/t; echo y > /dev/shm/s; setsid sleep 1004 &"])
        return sandbox.container_id

    async def look(sandbox: DockerSandbox):
        files = await sandbox.exec(["find", "/workspace", "/tmp", "/dev/shm", "-mindepth", "1"])
        return sandbox.container_id, files.stdout, await process_list(sandbox)

    try:
        first = asyncio.run(in_sandbox(backend, dirty))
        second, files, running = asyncio.run(in_sandbox(backend, look))
    finally:
        backend.shutdown()
    assert first == second
    assert [f for f in files.split() if not f.startswith("/tmp/.codefront-exec-")] == []
    assert "sleep 1004" not in running


def test_cancelled_judging_leaves_no_container(client, backend):
    opened: list[str] = []

    class Recording(DockerBackend):
        async def open(self) -> DockerSandbox:
            sandbox = await super().open()
            opened.append(sandbox.container_id)
            return sandbox

    recording = Recording()

    async def interrupt() -> None:
        task = asyncio.create_task(judge_async(ECHO, "import time\ntime.sleep(60)\n", recording))
        await asyncio.sleep(2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    before = mine(client)
    asyncio.run(interrupt())
    assert opened and not mine(client) & set(opened)
    recording.shutdown()
    assert mine(client) == before


def owned_by(client, pid: int) -> list:
    label = f"{OWNER_LABEL}={owner().rpartition(':')[0]}:{pid}"
    return client.containers.list(all=True, filters={"label": label})


def start_child() -> subprocess.Popen:
    script = textwrap.dedent("""
        import asyncio, signal
        from codefront.sandbox.docker import DockerBackend

        # Ctrl-C as at a terminal: a shell that ran the suite in the background ignores SIGINT for it.
        signal.signal(signal.SIGINT, signal.default_int_handler)

        async def main():
            backend = DockerBackend()
            sandbox = await backend.open()
            try:
                print("ready", flush=True)
                await sandbox.exec(["sleep", "1005"])
            finally:
                await sandbox.close()

        asyncio.run(main())
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "ready"
    return child


def test_ctrl_c_mid_exec_leaves_no_container(client):
    child = start_child()
    assert len(owned_by(client, child.pid)) == 1
    child.send_signal(signal.SIGINT)
    child.wait(timeout=60)
    assert owned_by(client, child.pid) == []


def test_strays_of_a_killed_process_are_removed(client):
    child = start_child()
    child.kill()
    child.wait(timeout=30)
    assert len(owned_by(client, child.pid)) == 1  # SIGKILL: no clean-up ran
    assert remove_strays(client, dead_owners_only=True) >= 1
    assert owned_by(client, child.pid) == []


HOSTILE = {
    "network": "import socket\nsocket.create_connection(('1.1.1.1', 53), timeout=2)\n",
    "env secret": "import os\nprint(os.environ.get('CODEFRONT_TEST_SECRET') or input())\n",
    "fork bomb": "import os\nwhile True:\n    os.fork()\n",
    "escaped daemon": "import os\nif os.fork() == 0:\n    os.setsid()\n    os.execvp('sleep', ['sleep', '1006'])\nprint(input())\n",
    "sleep": "import time\ntime.sleep(30)\n",
    "memory hog": "x = []\nwhile True:\n    x.append(' ' * 10**6)\n",
    "endless output": "while True:\n    print('y' * 1000)\n",
    "syntax error": "print(\n",
    "kill the runner": "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n",
    "forge the runner's output": (
        "import os\nwith open(f'/proc/{os.getppid()}/fd/1', 'w') as f:\n    f.write('{\"done\": true}\\n')\n"
    ),
}
EXPECTED = {
    "network": {Verdict.RE},
    "env secret": {Verdict.AC},
    "fork bomb": {Verdict.RE, Verdict.TLE},
    "escaped daemon": {Verdict.AC},
    "sleep": {Verdict.TLE},
    "memory hog": {Verdict.MLE},
    "endless output": {Verdict.OLE},
    "syntax error": {Verdict.CE},
    "kill the runner": {Verdict.RE},
    "forge the runner's output": {Verdict.RE},
}


def test_hostile_submissions_get_local_verdicts(client, backend, monkeypatch):
    monkeypatch.setenv("CODEFRONT_TEST_SECRET", "sk-host-only")
    options = JudgeOptions(output_limit_bytes=1 << 20)
    items = [(ECHO, code) for code in HOSTILE.values()]
    local = judge_many(items, LocalBackend(), options)
    docker = judge_many(items, backend, options)
    for name, here, there in zip(HOSTILE, local, docker, strict=True):
        assert here.verdict in EXPECTED[name] and there.verdict in EXPECTED[name], (name, here, there)
        if name != "fork bomb":  # RE or TLE depending on which process meets the limit first
            assert (here.verdict, here.passed) == (there.verdict, there.passed), name
    assert judge(ECHO, SOLVE_ECHO, backend).verdict == Verdict.AC  # the pool is still healthy
    deadline = time.monotonic() + 15
    while host_processes("sleep 1006") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert host_processes("sleep 1006") == ""


def test_runner_is_root_only_when_privileged(backend):
    """The judge runs its runner privileged (root) with a leased uid for the tests; the public-tests
    tool runs it unprivileged, so everything, tests included, runs as the sandbox user."""
    code = (
        "import os\n"
        "def field(pid, name):\n"
        "    return open(f'/proc/{pid}/status').read().split(name + ':')[1].split()[0]\n"
        "print(os.getuid(), field(os.getppid(), 'Uid'), int(field('self', 'CapEff'), 16))\n"
    )
    problem = Problem(id="who", statement="", tests=(Test("", ""),), time_limit_s=2, memory_limit_mb=128)

    async def verdict(sandbox: DockerSandbox, privileged: bool, test_uid: int | None, expected: str):
        job = judge_job(problem, code, [wire.TestCase(0, "", expected)], JudgeOptions(all_tests=True))
        job = job._replace(test_uid=test_uid)
        reports = [e for e in await run_job(sandbox, job, privileged) if isinstance(e, wire.TestReport)]
        return [r.verdict for r in reports]

    async def work(sandbox: DockerSandbox):
        with leased_uid() as uid:
            return uid, [await verdict(sandbox, True, uid, f"{uid} 0 0"),
                         await verdict(sandbox, False, None, "1000 1000 0")]  # fmt: skip

    uid, verdicts = asyncio.run(in_sandbox(backend, work))
    assert uid >= 61000 and verdicts == [["AC"], ["AC"]]


def test_builtin_suite_verdicts_match_local(backend):
    from codefront.harness.problems.builtin import load_builtin, solutions

    items = [
        (problem, code)
        for problem in load_builtin()
        for kind, code in solutions(problem.id).items()
        if kind in ("reference", "brute")
    ]

    def verdicts(chosen, which):
        return [(r.verdict, r.coverage) for r in judge_many(chosen, which)]

    local, docker = verdicts(items, LocalBackend()), verdicts(items, backend)
    # A loaded machine can push a test past its wall-clock limit in either backend: a difference
    # must survive two re-judgings of that submission on both to count.
    for _ in range(2):
        differ = [i for i in range(len(items)) if local[i] != docker[i]]
        if not differ:
            break
        again = [items[i] for i in differ]
        for i, here, there in zip(
            differ, verdicts(again, LocalBackend()), verdicts(again, backend), strict=True
        ):
            local[i], docker[i] = here, there
    assert docker == local


def test_clear_errors_when_engine_down_or_image_missing(client, monkeypatch):
    missing = DockerBackend(DockerConfig(image="codefront-sandbox:does-not-exist"))
    with pytest.raises(SandboxError, match="harness sandbox build"):
        asyncio.run(missing.open())
    result = judge(ECHO, SOLVE_ECHO, missing)
    assert result.verdict == Verdict.IE and "harness sandbox build" in result.detail
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    with pytest.raises(SandboxError, match="docker-engine.sh"):
        asyncio.run(DockerBackend().open())


def test_backend_chosen_by_env(monkeypatch):
    monkeypatch.delenv("CODEFRONT_SANDBOX", raising=False)
    assert default_sandbox() is None and backend_named().name == "local"
    monkeypatch.setenv("CODEFRONT_SANDBOX", "docker")
    assert default_sandbox() == "docker" and backend_named().name == "docker"
    assert backend_named("local").name == "local"
    monkeypatch.setenv("CODEFRONT_SANDBOX", "vm")
    with pytest.raises(ValueError, match="CODEFRONT_SANDBOX"):
        default_sandbox()


def test_build_is_skipped_when_the_image_exists(client):
    done = subprocess.run(
        [str(Path(sys.executable).with_name("harness")), "sandbox", "build"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and "up to date" in done.stdout
    assert client.images.get(ImageSpec().tag).labels[f"{LABEL}.suite"] == "bookworm"
