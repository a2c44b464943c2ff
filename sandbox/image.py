"""The Docker sandbox image, built offline from Debian packages: no container registry needed.

debootstrap makes a minimal bookworm root with Debian's python3 and python3-sortedcontainers (the
interpreter the local backend uses too, so verdicts match), a non-root user is added, and the tree
is imported with `docker import`. The tag is a hash of everything that defines the image, so a
build is skipped when that exact image already exists.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from codefront.sandbox.base import SandboxError

REPOSITORY = "codefront-sandbox"
BUILD_VERSION = 2
"""Bump when the build steps below change what ends up in the image."""
SANDBOX_UID = 1000
WORKSPACE = "/workspace"
SOURCE_FILES = (Path("/etc/apt/sources.list.d/debian.sources"), Path("/etc/apt/sources.list"))
FALLBACK_MIRROR = "http://deb.debian.org/debian"
ENGINE_HINT = "run scripts/docker-engine.sh (as root) to install and start the Docker engine"


@dataclass(frozen=True)
class ImageSpec:
    suite: str = "bookworm"
    variant: str = "minbase"
    packages: tuple[str, ...] = ("python3", "python3-sortedcontainers")
    uid: int = SANDBOX_UID
    build_version: int = BUILD_VERSION

    @property
    def tag(self) -> str:
        digest = hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:12]
        return f"{REPOSITORY}:{digest}"


@dataclass(frozen=True)
class BuildReport:
    tag: str
    built: bool
    """False when the image already existed."""
    seconds: float
    size_mb: float


def docker_client():
    """A client whose engine answers, or a SandboxError that says how to get one."""
    import docker
    from docker.errors import DockerException

    try:
        client = docker.from_env(timeout=120)
        client.ping()
    except DockerException as e:
        raise SandboxError(f"the Docker engine is not reachable ({e}): {ENGINE_HINT}") from None
    return client


def image_exists(client, tag: str) -> bool:
    from docker.errors import ImageNotFound

    try:
        client.images.get(tag)
    except ImageNotFound:
        return False
    return True


def debian_mirror(suite: str) -> str:
    """The mirror apt already uses for `suite`, so the build works wherever apt-get does."""
    for path in SOURCE_FILES:
        if not path.exists():
            continue
        text = path.read_text()
        if path.suffix == ".sources":  # deb822 stanzas
            for stanza in re.split(r"\n\s*\n", text):
                fields = dict(re.findall(r"^(\w[\w-]*):\s*(.*)$", stanza, re.M))
                if suite in fields.get("Suites", "").split() and "deb" in fields.get("Types", "").split():
                    return fields["URIs"].split()[0]
        else:
            for line in text.splitlines():
                words = [w for w in line.split() if not w.startswith("[")]
                if len(words) >= 3 and words[0] == "deb" and words[2] == suite:
                    return words[1]
    return FALLBACK_MIRROR


def build_image(spec: ImageSpec = ImageSpec(), force: bool = False, mirror: str | None = None) -> BuildReport:
    client = docker_client()
    started = time.monotonic()
    if not force and image_exists(client, spec.tag):
        return BuildReport(spec.tag, False, 0.0, client.images.get(spec.tag).attrs["Size"] / 1e6)
    if os.geteuid() != 0:
        raise SandboxError("building the sandbox image runs debootstrap, which needs root: re-run as root")
    if shutil.which("debootstrap") is None:
        raise SandboxError(f"debootstrap is missing: {ENGINE_HINT}")
    root = Path(tempfile.mkdtemp(prefix="codefront-rootfs-", dir="/var/tmp"))
    try:
        _debootstrap(spec, root, mirror or debian_mirror(spec.suite))
        _finish_root(spec, root)
        _import(client, spec, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    size = client.images.get(spec.tag).attrs["Size"] / 1e6
    return BuildReport(spec.tag, True, time.monotonic() - started, size)


def _debootstrap(spec: ImageSpec, root: Path, mirror: str) -> None:
    cmd = [
        "debootstrap",
        f"--variant={spec.variant}",
        f"--include={','.join(spec.packages)}",
        spec.suite,
        str(root),
        mirror,
    ]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        raise SandboxError(f"debootstrap failed ({' '.join(cmd)}):\n{tail}")


def _finish_root(spec: ImageSpec, root: Path) -> None:
    """The non-root user, the workspace mount point, and no package caches (they only make the image bigger)."""
    with open(root / "etc/passwd", "a") as f:
        f.write(f"sandbox:x:{spec.uid}:{spec.uid}:sandbox:{WORKSPACE}:/usr/sbin/nologin\n")
    with open(root / "etc/group", "a") as f:
        f.write(f"sandbox:x:{spec.uid}:\n")
    (root / WORKSPACE.lstrip("/")).mkdir(parents=True, exist_ok=True)
    for cache in ("var/cache/apt/archives", "var/lib/apt/lists", "var/log"):
        for entry in (root / cache).glob("*"):
            if entry.is_file():
                entry.unlink()


def _import(client, spec: ImageSpec, root: Path) -> None:
    tar = subprocess.Popen(["tar", "-C", str(root), "--numeric-owner", "-c", "."], stdout=subprocess.PIPE)

    def chunks() -> Iterator[bytes]:
        while chunk := tar.stdout.read(1 << 20):
            yield chunk

    repository, tag = spec.tag.split(":")
    changes = [
        f"LABEL org.codefront.sandbox.suite={spec.suite} org.codefront.sandbox.packages={','.join(spec.packages)}",
        "ENV PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8",
    ]
    try:
        client.api.import_image(
            src=chunks(), repository=repository, tag=tag, changes=changes, stream_src=True
        )
    finally:
        tar.stdout.close()
        tar.wait()
    if tar.returncode != 0:
        raise SandboxError(f"tar of the root file system failed with status {tar.returncode}")
    if not image_exists(client, spec.tag):
        raise SandboxError(f"docker import did not produce {spec.tag}")
