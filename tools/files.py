"""File tools over the sandbox workspace: list, read, write, and edit by exact string replacement."""

from __future__ import annotations

from pathlib import PurePosixPath

from codefront.sandbox.base import Sandbox
from codefront.tools.base import Param, Tool, ToolError

MAX_LISTED = 200


def workspace_path(path: str) -> str:
    """Paths stay inside the workspace, whatever the backend maps them to."""
    parts = PurePosixPath(path).parts
    if not path.strip() or PurePosixPath(path).is_absolute() or ".." in parts:
        raise ToolError(f"{path!r}: use a path relative to the workspace, without '..'")
    return path


async def read_text(sandbox: Sandbox, path: str) -> str:
    try:
        return (await sandbox.read_file(workspace_path(path))).decode(errors="replace")
    except FileNotFoundError:
        raise ToolError(f"{path}: no such file") from None
    except OSError as e:  # a folder, say; the engine's own failures are SandboxErrors and pass
        raise ToolError(f"{path}: {e}") from None


async def write_text(sandbox: Sandbox, path: str, text: str) -> None:
    try:
        await sandbox.write_file(workspace_path(path), text)
    except OSError as e:  # the path is a folder, the workspace is full...
        raise ToolError(f"{path}: {e}") from None


def file_tools(sandbox: Sandbox) -> list[Tool]:
    async def list_files(path: str = ".") -> str:
        try:
            names = await sandbox.list_files(workspace_path(path))
        except OSError as e:
            raise ToolError(f"{path}: {e}") from None
        shown = [n for n in names if not n.startswith(".codefront/")]
        more = f"\n[... {len(shown) - MAX_LISTED} more]" if len(shown) > MAX_LISTED else ""
        return "\n".join(shown[:MAX_LISTED]) + more if shown else "(no files)"

    async def read_file(path: str) -> str:
        return await read_text(sandbox, path)

    async def write_file(path: str, content: str) -> str:
        await write_text(sandbox, path, content)
        return f"wrote {len(content.encode())} bytes to {path}"

    async def edit_file(path: str, old: str, new: str) -> str:
        text = await read_text(sandbox, path)
        count = text.count(old) if old else 0
        if count != 1:
            why = "is empty" if not old else "was not found" if count == 0 else f"occurs {count} times"
            raise ToolError(
                f"{path}: the old string {why}; it must match exactly one place (add context lines)"
            )
        await write_text(sandbox, path, text.replace(old, new, 1))
        return f"edited {path}"

    return [
        Tool("list_files", "List the files below a folder of the workspace.",
             {"path": Param("string", "A folder relative to the workspace (default: the workspace).", required=False)},
             list_files, head="path"),
        Tool("read_file", "Read a text file of the workspace.", {"path": Param("string", "Relative path.")},
             read_file, head="path"),
        Tool("write_file", "Create or overwrite a file with the given content.",
             {"path": Param("string", "Relative path."), "content": Param("string", "The whole new content.")},
             write_file, head="path", body="content"),
        Tool("edit_file", "Replace one exact occurrence of `old` in a file with `new`; `old` must occur exactly once.",
             {"path": Param("string", "Relative path."), "old": Param("string", "The exact text to replace."),
              "new": Param("string", "The replacement text.")},
             edit_file, head="path", body=("old", "new")),
    ]  # fmt: skip
