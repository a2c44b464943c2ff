"""Uids for the tests of a judged submission, leased machine-wide.

Each judging leases one of JUDGE_UIDS (flock on a lock file, so several harness processes can judge
at once): the tests' process limit and the clean-up sweep then touch only that submission's
processes, whichever sandbox it runs in (sandboxes share the host's uids)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from codefront.sandbox.base import SandboxError

JUDGE_UIDS = range(61000, 62000)
UID_LOCKS = Path(tempfile.gettempdir()) / "codefront-judge-uids"


@contextlib.contextmanager
def leased_uid() -> Iterator[int]:
    """A judge uid no other judging on this machine holds, for the length of the block."""
    UID_LOCKS.mkdir(mode=0o700, exist_ok=True)
    for uid in JUDGE_UIDS:
        fd = os.open(UID_LOCKS / str(uid), os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        try:
            yield uid
        finally:
            os.close(fd)
        return
    raise SandboxError(f"all {len(JUDGE_UIDS)} judge uids are in use")
