"""What the terminal shows while the harness waits on something slow it started (a conversion, a
server's start-up): a rich status line, or plain lines when another live display owns the terminal."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator

from rich.console import Console
from rich.file_proxy import FileProxy
from rich.markup import escape

LINE_EVERY_S = 15.0
"""Under another live display (run's progress bars) an update is a printed line: one per this many s."""

console = Console(stderr=True, highlight=False)


class Waiting:
    """A wait in progress: `update(detail)` shows the latest detail beside the elapsed time."""

    def __init__(self, what: str, status: object | None) -> None:
        self.what, self.status = what, status
        self.started = self.printed = time.monotonic()

    def update(self, detail: str) -> None:
        elapsed = time.monotonic() - self.started
        text = f"{self.what} ({elapsed:.0f} s)" + (f": [dim]{escape(detail[:160])}[/]" if detail else "")
        if self.status is not None:
            self.status.update(text)
        elif time.monotonic() - self.printed >= LINE_EVERY_S:
            self.printed = time.monotonic()
            console.print(text)


@contextlib.contextmanager
def waiting(what: str) -> Iterator[Waiting]:
    """Show `what` until the block ends, then one line saying how long it took."""
    # A live display (Progress, Status) swaps sys.stderr for a FileProxy while it runs: a second
    # live display beside it would garble both, so print lines above it instead.
    under_live = isinstance(sys.stderr, FileProxy)
    if under_live or not console.is_terminal:
        console.print(f"{what}…")
        wait = Waiting(what, None)
        yield wait
    else:
        with console.status(f"{what}…") as status:
            wait = Waiting(what, status)
            yield wait
    console.print(f"{what}: done in {time.monotonic() - wait.started:.0f} s")
