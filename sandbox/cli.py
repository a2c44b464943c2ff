"""`harness sandbox ...`: the Docker sandbox image and its containers."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from codefront.sandbox.base import SandboxError

sandbox_app = typer.Typer(
    no_args_is_help=True, help="The Docker sandbox: build its image, clean up containers."
)
console = Console()
err_console = Console(stderr=True)


@sandbox_app.command("build")
def build_command(
    force: Annotated[bool, typer.Option("--force", help="Rebuild even when the image exists.")] = False,
    mirror: Annotated[
        str | None, typer.Option(help="Debian mirror (default: the one apt already uses).")
    ] = None,
) -> None:
    """Build the sandbox image offline with debootstrap (root, a Debian mirror; no registry).

    A no-op when the image for the current definition already exists."""
    from codefront.sandbox.image import build_image

    try:
        report = build_image(force=force, mirror=mirror)
    except SandboxError as e:
        err_console.print(f"[bold red]error:[/] {e}", highlight=False)
        raise typer.Exit(1) from None
    if report.built:
        console.print(f"built {report.tag} in {report.seconds:.0f}s ({report.size_mb:.0f} MB)")
    else:
        console.print(f"{report.tag} is up to date ({report.size_mb:.0f} MB)")


@sandbox_app.command("clean")
def clean_command(
    all_: Annotated[
        bool, typer.Option("--all", help="Also containers of processes still running (or on other hosts).")
    ] = False,
) -> None:
    """Remove sandbox containers that harness processes left behind."""
    from codefront.sandbox.docker_pool import remove_strays
    from codefront.sandbox.image import docker_client

    try:
        removed = remove_strays(docker_client(), dead_owners_only=not all_)
    except SandboxError as e:
        err_console.print(f"[bold red]error:[/] {e}", highlight=False)
        raise typer.Exit(1) from None
    console.print(f"removed {removed} sandbox container(s)")
