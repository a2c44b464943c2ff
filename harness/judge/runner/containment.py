"""Every process a test creates, as one group the runner can measure and kill however it behaves.
Standard library only (it travels with the runner).

- cgroup: where the runner is root and a cgroup v2 hierarchy is writable (hybrid cgroup v1
  machines mount one at /sys/fs/cgroup/unified), the tests of a leased uid share one cgroup. A
  test joins it before dropping privileges; cpu.stat counts the CPU of all its processes, exited
  ones included; cgroup.kill kills them all at once, forks in flight included.
- uid: elsewhere (inside a container), the tests' leased uid is the group: its CPU is summed from
  /proc, and kill(-1) from that uid is repeated until /proc shows none of its processes.
- process group: without a uid of their own (the runner is not root), only the test's process
  group can be measured and killed.
"""

from __future__ import annotations

import os
import resource
import signal
import time

KILL_BOUND_S = 5.0
"""A kill that has not emptied the group by then gives up (the runner then reports an IE)."""
CLOCK_TICK = os.sysconf("SC_CLK_TCK")


def reap(block: bool) -> None:
    """Reap exited children (the runner is the subreaper of every test process): all that are ready,
    or, when `block`, until none is left."""
    while True:
        try:
            if os.waitpid(-1, 0 if block else os.WNOHANG)[0] == 0:
                return
        except ChildProcessError:
            return


def _killpg(pid: int) -> None:
    if pid <= 0:  # no test started yet: 0 would name our own group
        return
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def process_cpu(pid: int | str, with_children: bool = False) -> float:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if with_children else 0)
    return ticks / CLOCK_TICK


def pids_of(uid: int) -> list[str]:
    """Every process, zombies included, whose real uid is `uid`."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("Uid:"):
                        if int(line.split()[1]) == uid:
                            found.append(pid)
                        break
        except OSError:
            continue
    return found


class ProcessGroup:
    """The test's own process group: what a runner that cannot change uid can reach."""

    def __init__(self) -> None:
        self.pid, self.cpu_base, self.cpu_last = 0, 0.0, 0.0

    def enter(self) -> None:
        """In the test process, before it drops privileges."""

    def start(self, pid: int, fresh: bool = True) -> None:
        """A test starts in process `pid` (`fresh`: just forked, so the group has used no CPU yet):
        CPU is counted from here."""
        self.pid = pid
        self.cpu_base = self._cpu_total(fresh)

    def carry_on(self) -> None:
        """The next test starts where the last measurement ended: its process went straight on to it."""
        self.cpu_base = self.cpu_last

    def cpu_seconds(self) -> float:
        """CPU time of the group's processes since the test started."""
        self.cpu_last = self._cpu_total()
        return self.cpu_last - self.cpu_base

    def _cpu_total(self, fresh: bool = False) -> float:
        return 0.0 if fresh else process_cpu(self.pid)

    def strays(self, keep: int) -> bool:
        """Whether the group held a process other than `keep` (0: none) when its CPU was last read,
        or holds one now: a daemon the test left behind. Called after a test's last CPU reading.
        This group cannot tell: what left its process group is out of its reach."""
        return False

    def kill(self, thorough: bool) -> bool:
        """Kill the test's processes; `thorough` also those that left its process group. False when
        some could not be killed within KILL_BOUND_S."""
        _killpg(self.pid)
        reap(block=False)
        return True


class UidGroup(ProcessGroup):
    def __init__(self, uid: int) -> None:
        super().__init__()
        self.uid = uid
        self.seen: list[str] = []
        """The uid's processes when its CPU was last read (a scan of /proc, ~100 us in a container)."""

    def _cpu_total(self, fresh: bool = False) -> float:
        """Live processes of the uid (with the children they reaped), plus those we reaped."""
        self.seen = [] if fresh else pids_of(self.uid)
        live = sum(process_cpu(pid, with_children=True) for pid in self.seen)
        reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
        return live + reaped.ru_utime + reaped.ru_stime

    def strays(self, keep: int) -> bool:
        return any(pid != str(keep) for pid in self.seen)

    def kill(self, thorough: bool) -> bool:
        if not thorough:
            return super().kill(thorough)
        _killpg(self.pid)
        killer = os.fork()
        if killer == 0:
            os._exit(self._kill_from_inside())
        reap(block=True)  # every process of the uid, re-parented to us, then the killer
        return not pids_of(self.uid)

    def _kill_from_inside(self) -> int:
        """In a child that takes the uid: kill(-1) reaches every process of it but the caller.
        It kills before it looks: a scan of /proc can miss a chain of processes that each fork and
        exit (each pid read after it is gone, its child's listed too late), while one kill(-1)
        cannot (a fork either completes before the sweep, or fails on the parent's SIGKILL)."""
        try:
            os.setuid(self.uid)
            deadline = time.monotonic() + KILL_BOUND_S
            while True:
                try:
                    os.kill(-1, signal.SIGKILL)
                except ProcessLookupError:  # nothing of the uid left to signal
                    return 0
                if len(pids_of(self.uid)) <= 1 or time.monotonic() > deadline:
                    return 0
                time.sleep(0.001)
        except BaseException:
            return 1


class CgroupGroup(ProcessGroup):
    def __init__(self, root: str, uid: int) -> None:
        super().__init__()
        self.path = os.path.join(root, "codefront-judge", f"uid{uid}")
        self.cpu_stat = self.events = self.members = -1
        os.makedirs(self.path, exist_ok=True)
        if not os.path.exists(os.path.join(self.path, "cgroup.kill")):  # kernels before 5.14
            raise OSError(f"{self.path}: no cgroup.kill")
        self.procs = os.open(os.path.join(self.path, "cgroup.procs"), os.O_WRONLY | os.O_CLOEXEC)
        self.kill(thorough=True)  # what a runner killed before its clean-up left behind

    def enter(self) -> None:
        # A raw write on a descriptor opened in the runner: Python's file objects would allocate,
        # and so copy-on-write, dozens of the runner's pages in every test. The test's copy is closed
        # at once: written through, it would move any process into this cgroup with root's rights.
        os.write(self.procs, b"0")
        os.close(self.procs)

    def _cpu_total(self, fresh: bool = False) -> float:
        if self.cpu_stat < 0:  # opened once, read again from its start every time (so is cgroup.events)
            self.cpu_stat = os.open(os.path.join(self.path, "cpu.stat"), os.O_RDONLY | os.O_CLOEXEC)
        return int(os.pread(self.cpu_stat, 64, 0).split()[1]) / 1e6  # usage_usec comes first

    def _populated(self) -> bool:
        if self.events < 0:
            self.events = os.open(os.path.join(self.path, "cgroup.events"), os.O_RDONLY | os.O_CLOEXEC)
        return b"populated 1" in os.pread(self.events, 256, 0)

    def strays(self, keep: int) -> bool:
        if self.members < 0:
            self.members = os.open(os.path.join(self.path, "cgroup.procs"), os.O_RDONLY | os.O_CLOEXEC)
        return any(int(pid) != keep for pid in os.pread(self.members, 4096, 0).split())

    def kill(self, thorough: bool) -> bool:
        if self._collected():  # the usual end of a test: nothing left to kill
            return True
        with open(os.path.join(self.path, "cgroup.kill"), "w") as f:
            f.write("1")
        deadline = time.monotonic() + KILL_BOUND_S
        while not self._collected():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.0005)
        return True

    def _collected(self) -> bool:
        """Whether every process of the group has exited, their zombies reaped. A process leaves the
        group as it exits, before it is reaped: reaping after the group is seen empty collects every
        zombie (each re-parented to the runner by then), where reaping before could miss one that
        exited in between, left for the next test to see."""
        populated = self._populated()
        reap(block=False)
        return not populated


def cgroup2_root() -> str | None:
    """A writable cgroup v2 hierarchy with cgroup.kill, if the runner may use one."""
    if os.geteuid() != 0:
        return None
    try:
        with open("/proc/self/mountinfo") as f:
            mounts = [line.split() for line in f]
    except OSError:
        return None
    for fields in mounts:
        fstype = fields[fields.index("-") + 1]
        point = fields[4]
        if fstype == "cgroup2" and os.access(point, os.W_OK):
            return point
    return None


def group_for(uid: int | None) -> ProcessGroup:
    """The strongest group this runner can have."""
    if uid is None:
        return ProcessGroup()
    root = cgroup2_root()
    if root is not None:
        try:
            return CgroupGroup(root, uid)
        except OSError:
            pass
    return UidGroup(uid)


CLONE_NEWNS, CLONE_NEWIPC = 0x00020000, 0x08000000
MS_NOSUID, MS_NODEV, MS_REC, MS_PRIVATE = 2, 4, 1 << 14, 1 << 18
SCRATCH_DIRS = ("/tmp", "/var/tmp", "/dev/shm")


def private_scratch(size_mb: int) -> bool:
    """Give this process (and so every test) a mount namespace whose world-writable dirs are fresh
    tmpfs, and an IPC namespace of its own: nothing a test writes there, shared memory included,
    outlives the runner or reaches another submission. False where the runner may not (a
    container, whose own tmpfs the pool resets between uses, or a runner that is not root)."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if os.geteuid() != 0 or libc.unshare(CLONE_NEWNS | CLONE_NEWIPC) != 0:
        return False
    if libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        raise OSError(ctypes.get_errno(), "cannot make the runner's mounts private")
    options = f"size={size_mb}m,mode=1777".encode()
    for path in SCRATCH_DIRS:
        if os.path.isdir(path) and libc.mount(
            b"tmpfs", path.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, options
        ):
            raise OSError(ctypes.get_errno(), f"cannot mount a private {path}")
    return True
