"""Hostile submissions against both backends (a worker process per submission, the default), in a
process per test, and against runners forked from a warm one (the local backend's fork server,
which judge_many and JudgePool use): each gets a model's verdict (never IE) within its limits, and
leaves nothing behind: no process of a judge uid, no file in a world-writable place, no shared
memory, no Docker container outside the pool; and nothing outlives a harness killed mid-judge."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from pathlib import Path

import pytest

from codefront.harness.judge.judge import JudgeOptions, judge, judge_many
from codefront.harness.judge.runner.wire import WALL_FACTOR
from codefront.harness.judge.uids import JUDGE_UIDS
from codefront.records import Problem, Test, Verdict
from codefront.sandbox.local import LocalBackend

ECHO = Problem(id="echo", statement="Print 'answer-' and the line you read.", tests=(Test("7f3a\n", "answer-7f3a\n"),),
               time_limit_s=1.0, memory_limit_mb=256)  # fmt: skip
OPTIONS = JudgeOptions(output_limit_bytes=1 << 20)
WRITABLE = ("/tmp", "/var/tmp", "/dev/shm")

LEAVE_FILES = """
import ctypes, os
for d in ("/tmp", "/var/tmp", "/dev/shm"):
    try:
        open(os.path.join(d, "cf-leak-" + str(os.getuid())), "w").write("state")
    except OSError:
        pass
ctypes.CDLL(None).shmget(0x0CF1EA, 4096, 0o1666)  # IPC_CREAT | 0666
print('answer-' + input().strip())
"""
FIND_FILES = """
import os
left = [n for d in ("/tmp", "/var/tmp", "/dev/shm") if os.path.isdir(d) for n in os.listdir(d) if n.startswith("cf-leak")]
shm = [l for l in open("/proc/sysvipc/shm").read().splitlines()[1:] if l.split()[0] == str(0x0CF1EA)]
print("answer-" + input().strip() if not left and not shm else "left: %s %s" % (left, shm))
"""
SCAN_MEMORY = r"""
import ctypes, re
found = set()
for line in open("/proc/self/maps"):
    addr, perms = line.split()[:2]
    if "r" in perms and "/" not in line and ("[" not in line or "[heap]" in line):
        lo, hi = (int(x, 16) for x in addr.split("-"))
        found.update(re.findall(rb"answer-[0-9a-f]{4}", ctypes.string_at(lo, hi - lo)))
print(b" ".join(sorted(found)).decode() or "nothing")
"""
SCAN_PROC = """
import os
seen = ""
for pid in os.listdir("/proc"):
    for name in ("environ", "cmdline"):
        try:
            seen += open(f"/proc/{pid}/{name}", errors="replace").read()
        except OSError:
            pass
print("leaked" if "sk-host-only" in seen or "answer-7f3a" in seen else "answer-" + input().strip())
"""
FIND_DESCRIPTORS = """
import os
writable = []
for fd in os.listdir("/proc/self/fd"):
    try:
        flags = int(open(f"/proc/self/fdinfo/{fd}").read().split("flags:")[1].split()[0], 8)
        target = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        continue
    if int(fd) > 2 and flags & 3 and "cgroup" in target:  # O_WRONLY or O_RDWR
        writable.append(target)
print("answer-" + input().strip() if not writable else "writable: %s" % writable)
"""
SWAP_OUTPUT = """
import os
target = os.readlink("/proc/self/fd/1")
if target.startswith("/"):  # a file the runner reads (a worker's stdin test), not a pipe
    os.unlink(target)
    {make}
print("answer-" + input().strip())
"""
WRITE_PIPES = """
import os, stat
for fd in map(int, os.listdir("/proc/self/fd")):
    try:
        if fd > 2 and stat.S_ISFIFO(os.fstat(fd).st_mode):
            os.write(fd, b"x\\n")
    except OSError:
        pass
print("answer-" + input().strip())
"""
HOSTILE = {
    "fork bomb that survives failed forks": ("import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n", {Verdict.TLE}),
    "fork during kill": ("import os\nwhile True:\n    if os.fork() > 0:\n        os._exit(0)\n", {Verdict.WA}),
    "setsid double-fork daemon": ("import os\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        os.execvp('sleep', ['sleep', '4201'])\n    os._exit(0)\nprint('answer-' + input().strip())\n", {Verdict.AC}),
    "thread bomb": ("import threading\ndef spin():\n    while True:\n        pass\nfor _ in range(10000):\n    threading.Thread(target=spin, daemon=True).start()\n", {Verdict.RE, Verdict.TLE}),
    "stops itself": ("import os, signal\nos.kill(os.getpid(), signal.SIGSTOP)\nprint('answer-' + input().strip())\n", {Verdict.TLE}),
    "closes its stdout": ("import os\nos.close(1)\n", {Verdict.WA}),
    "redirects its stdout": ("import os\nos.dup2(os.open(os.devnull, os.O_WRONLY), 1)\nprint('answer-' + input().strip())\n", {Verdict.WA}),
    "writes /proc/self/fd/1 in a loop": ("f = open('/proc/self/fd/1', 'w')\nwhile True:\n    f.write('x' * 65536)\n", {Verdict.OLE, Verdict.RE}),
    "swaps its output file for a pipe": (SWAP_OUTPUT.format(make="os.mkfifo(target)"), {Verdict.AC, Verdict.WA}),
    "swaps its output file for a directory": (SWAP_OUTPUT.format(make="os.mkdir(target)"), {Verdict.AC, Verdict.WA}),
    "writes on the judge's pipes": (WRITE_PIPES, {Verdict.AC, Verdict.WA}),
    "one giant line": ("import sys\nsys.stdout.write('9' * (1 << 24))\n", {Verdict.OLE}),
    "deep recursion": ("import sys\nsys.setrecursionlimit(10**7)\ndef f(n):\n    return f(n + 1)\nf(0)\n", {Verdict.RE, Verdict.MLE, Verdict.TLE}),
    "reads other processes' secrets": (SCAN_PROC, {Verdict.AC}),
    "reads the expected output from its memory": (SCAN_MEMORY, {Verdict.WA}),
    "leaves files and shared memory": (LEAVE_FILES, {Verdict.AC}),
    "looks for a cgroup file it could write": (FIND_DESCRIPTORS, {Verdict.AC}),
}  # fmt: skip
BOUND_S = 2 * (ECHO.time_limit_s * WALL_FACTOR + 0.2) + 1.0 + 4.0
"""A TLE runs twice, each within its wall limit, plus a second of clean-up and slack for a loaded CI."""


def judge_processes() -> set[str]:
    """The pids of every process whose uid is one the judge leases to tests."""
    out = subprocess.run(["ps", "-eo", "uid=,pid="], capture_output=True, text=True).stdout
    return {pid for uid, pid in map(str.split, out.splitlines()) if int(uid) in JUDGE_UIDS}


def leftover_files() -> list[str]:
    return [
        f"{d}/{n}" for d in WRITABLE if os.path.isdir(d) for n in os.listdir(d) if n.startswith("cf-leak")
    ]


def stray_containers(backend) -> set[str]:
    """Docker sandbox containers this process made that its pool does not hold (a leak), and any
    beyond the pool's size; nothing for other backends."""
    if backend.name != "docker":
        return set()
    from codefront.sandbox.docker_pool import OWNER_LABEL, owner

    listed = backend.pool.api().containers(all=True, filters={"label": f"{OWNER_LABEL}={owner()}"})
    made = {c["Id"] for c in listed}
    assert len(made) <= backend.pool.config.pool_size, made
    return made - backend.pool.containers()


def assert_contained(name: str, judged, backend) -> None:
    code, expected = HOSTILE[name]
    before = judge_processes()  # empty but for other judging on this machine
    started = time.monotonic()
    result = judged(code)
    elapsed = time.monotonic() - started
    assert result.verdict in expected, (result.verdict, result.detail)
    assert elapsed < BOUND_S, elapsed
    assert judge_processes() - before == set()
    assert stray_containers(backend) == set()
    assert leftover_files() == []
    assert judged(FIND_FILES).verdict == Verdict.AC  # nothing for the next one


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_submission_is_contained(backend, name, monkeypatch):
    monkeypatch.setenv("CODEFRONT_TEST_SECRET", "sk-host-only")
    assert_contained(name, lambda code: judge(ECHO, code, backend, OPTIONS), backend)


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_submission_is_contained_in_a_process_per_test(name, monkeypatch):
    monkeypatch.setenv("CODEFRONT_TEST_SECRET", "sk-host-only")
    options, backend = replace(OPTIONS, isolation="test"), LocalBackend()
    assert_contained(name, lambda code: judge(ECHO, code, backend, options), backend)


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_submission_is_contained_in_a_warm_runner(name, monkeypatch):
    monkeypatch.setenv("CODEFRONT_TEST_SECRET", "sk-host-only")
    backend = LocalBackend()
    assert_contained(name, lambda code: judge_many([(ECHO, code)], backend, OPTIONS)[0], backend)


HARNESS = textwrap.dedent("""
    import sys
    from codefront.harness.judge.judge import judge, judge_many
    from codefront.records import Problem, Test
    from codefront.sandbox.local import LocalBackend

    code = "import os, time\\nif os.fork() == 0:\\n    os.setsid()\\n    os.execvp('sleep', ['sleep', '4202'])\\n"
    code += "for _ in range(20):\\n    try:\\n        os.fork()\\n    except OSError:\\n        pass\\ntime.sleep(60)\\n"
    problem = Problem(id="p", statement="", tests=(Test("", ""),), time_limit_s=30.0)
    if sys.argv[1] == "warm":
        judge_many([(problem, code)], LocalBackend())
    else:
        judge(problem, code, LocalBackend())
""")


def descendants(pid: int) -> list[str]:
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [found for child in children for found in (child, *descendants(int(child)))]


@pytest.mark.parametrize("runner", ["fresh", "warm"])
def test_nothing_outlives_a_harness_killed_mid_judge(runner):
    before = judge_processes()
    harness = subprocess.Popen([sys.executable, "-c", HARNESS, runner])
    deadline = time.monotonic() + 60
    while not subprocess.run(["pgrep", "-f", "sleep 4202"], capture_output=True).stdout:
        assert time.monotonic() < deadline and harness.poll() is None
        time.sleep(0.1)
    time.sleep(0.5)
    runners = descendants(harness.pid)  # the runner and its referee, or the fork server and its forks
    assert len(runners) >= 2 and judge_processes() - before
    harness.kill()
    harness.wait()
    time.sleep(5)
    assert judge_processes() - before == set()
    alive = [pid for pid in runners if Path(f"/proc/{pid}").exists()]
    assert alive == []


SWAP_DIRECTORIES = """
import os
moved = []
for path in (os.getcwd(), os.path.dirname(os.getcwd()) + "/output"):
    try:
        os.rename(path, path + "-moved")
        os.symlink({canary!r}, path)
        moved.append(path)
    except OSError:
        pass
print("answer-" + input().strip() if not moved else "moved %s" % moved)
"""


@pytest.mark.parametrize("isolation", ["submission", "test"])
def test_a_test_cannot_swap_its_directories_for_links_the_runner_would_clean(isolation):
    """The runner (root) empties a test's temp dir and output dir: were they the test's to replace
    in a world-writable /tmp, a link there would have it remove what the link points to."""
    canary = Path(__file__).resolve().parent / f".canary-{os.getpid()}"  # outside every private /tmp
    canary.mkdir()
    (canary / "keep").write_text("kept")
    try:
        code = SWAP_DIRECTORIES.format(canary=str(canary))
        result = judge(ECHO, code, LocalBackend(), replace(OPTIONS, isolation=isolation))
        assert result.verdict == Verdict.AC, result.detail
        assert (canary / "keep").read_text() == "kept"
    finally:
        (canary / "keep").unlink(missing_ok=True)
        canary.rmdir()


# The daemon execs `sleep`: an exec makes it dumpable again, so its /proc entry carries its uid
# (a test process inherits the runner's non-dumpable flag, and its entry shows root's).
LEAVE_A_DAEMON = """
import os
def others():
    found = []
    for pid in os.listdir("/proc"):
        try:
            if pid.isdigit() and int(pid) != os.getpid() and os.stat("/proc/" + pid).st_uid == os.getuid():
                found.append(pid)
        except OSError:
            pass
    return found
left = others()
if input().strip() == "1" and os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execvp("sleep", ["sleep", "4203"])
    os._exit(0)
print("alone" if not left else "with %s" % left)
"""
TWO_TESTS = replace(ECHO, id="two", tests=(Test("1\n", "alone\n"), Test("2\n", "alone\n")))


@pytest.mark.parametrize("isolation", ["submission", "test"])
def test_a_daemon_a_passing_test_leaves_dies_before_the_next_test(backend, isolation):
    """The first test forks a `setsid` daemon and passes; the second finds no other process of its
    uid, in either isolation level (a worker that a test left a process to is replaced)."""
    before = judge_processes()
    result = judge(TWO_TESTS, LEAVE_A_DAEMON, backend, replace(OPTIONS, isolation=isolation))
    assert result.verdict == Verdict.AC, (result.detail, [t.detail for t in result.tests])
    assert judge_processes() - before == set()


FORK_AND_EXIT_CHAIN = textwrap.dedent("""
    import ctypes, os, sys, time
    from codefront.harness.judge.runner.containment import UidGroup

    uid = int(sys.argv[1])
    ctypes.CDLL(None).prctl(36, 1)  # PR_SET_CHILD_SUBREAPER, as the runner is
    for _ in range(20):
        if os.fork() == 0:
            os.setuid(uid)
            while True:
                if os.fork() > 0:
                    os._exit(0)
        time.sleep(0.05)
        started = time.monotonic()
        print(UidGroup(uid).kill(thorough=True), round(time.monotonic() - started, 2), flush=True)
""")


def test_the_uid_sweep_kills_a_chain_of_processes_that_fork_and_exit():
    """Where there is no cgroup (inside a container), a uid's processes are killed by kill(-1) from
    that uid. A chain whose every process forks and exits is never whole in one scan of /proc: the
    sweep must not take an empty scan for an empty uid (the runner then waited on the chain forever)."""
    from codefront.harness.judge.uids import leased_uid

    with leased_uid() as uid:
        try:
            sweeps = subprocess.run([sys.executable, "-c", FORK_AND_EXIT_CHAIN, str(uid)],
                                    capture_output=True, text=True, timeout=60)  # fmt: skip
        finally:
            for _ in range(50):  # what a failed sweep left
                subprocess.run(["pkill", "-9", "-u", str(uid)])
        lines = sweeps.stdout.split("\n")[:-1]
        assert sweeps.returncode == 0, sweeps.stderr
        assert len(lines) == 20 and all(line.split()[0] == "True" for line in lines), lines
        assert max(float(line.split()[1]) for line in lines) < 2.0, lines
