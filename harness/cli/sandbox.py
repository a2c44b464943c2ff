"""`harness sandbox ...`: the Docker sandbox image and its containers."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.console import Console

console = Console()


@dataclass(frozen=True)
class BuildConfig:
    force: bool = False
    """Rebuild even when the image exists."""
    mirror: str | None = None
    """Debian mirror (default: the one apt already uses)."""


@dataclass(frozen=True)
class CleanConfig:
    all_: bool = field(default=False, metadata={"flag": "--all"})
    """Also containers of processes still running (or on other hosts)."""


def build_command(config: BuildConfig) -> None:
    """Build the sandbox image offline with debootstrap (root, a Debian mirror; no registry).

    A no-op when the image for the current definition already exists."""
    from codefront.sandbox.image import build_image

    report = build_image(force=config.force, mirror=config.mirror)
    if report.built:
        console.print(f"built {report.tag} in {report.seconds:.0f}s ({report.size_mb:.0f} MB)")
    else:
        console.print(f"{report.tag} is up to date ({report.size_mb:.0f} MB)")


def clean_command(config: CleanConfig) -> None:
    """Remove sandbox containers that harness processes left behind."""
    from codefront.sandbox.docker_pool import remove_strays
    from codefront.sandbox.image import docker_client

    removed = remove_strays(docker_client(), dead_owners_only=not config.all_)
    console.print(f"removed {removed} sandbox container(s)")
