"""A docker exec's attached socket, seen as the parts of an asyncio subprocess that
`local.read_capped` uses, so both backends share one capping and timeout policy."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable

STDERR_FRAMES = (2, 3)  # stderr, and the engine's own error stream
HEADER_BYTES = 8


def dup_socket(raw) -> socket.socket:
    """A private copy of the socket the docker SDK hijacked, so asyncio can own it; the SDK's
    response is closed so that its connection never goes back to the pool."""
    sock = getattr(raw, "_sock", raw)
    copy = sock.dup()
    response = getattr(raw, "_response", None)
    if response is not None:
        response.close()
    else:
        sock.close()
    return copy


class HalfClosingStdin:
    """stdin as read_capped drives it: closing it half-closes the socket, so the command sees EOF
    while its output keeps flowing back."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self._writer = writer

    def write(self, data: bytes) -> None:
        self._writer.write(data)

    async def drain(self) -> None:
        await self._writer.drain()

    def close(self) -> None:
        try:
            self._writer.write_eof()
        except (OSError, RuntimeError):
            pass


class ExecStream:
    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        exit_code: Callable[[], Awaitable[int | None]],
        limit: int | None,
        stdin: bool,
    ) -> None:
        self.stdout = asyncio.StreamReader()
        self.stderr = asyncio.StreamReader()
        self.stdin = HalfClosingStdin(writer) if stdin else None
        self.returncode: int | None = None
        self._writer = writer
        self._exit_code = exit_code
        self._pump = asyncio.ensure_future(self._demux(reader, limit))

    @classmethod
    async def open(
        cls,
        sock: socket.socket,
        exit_code: Callable[[], Awaitable[int | None]],
        limit: int | None,
        stdin: bool,
    ) -> ExecStream:
        reader, writer = await asyncio.open_connection(sock=sock)
        return cls(reader, writer, exit_code, limit, stdin)

    async def _demux(self, reader: asyncio.StreamReader, limit: int | None) -> None:
        """Split the engine's frames (8-byte header: stream, 0, 0, 0, big-endian length) into
        stdout and stderr. Past `limit` + 1 bytes a stream's data is dropped, not buffered: the
        reader has seen enough to call it truncated, and a flood must not fill our memory."""
        kept = {self.stdout: 0, self.stderr: 0}
        try:
            while True:
                header = await reader.readexactly(HEADER_BYTES)
                payload = await reader.readexactly(int.from_bytes(header[4:], "big"))
                target = self.stderr if header[0] in STDERR_FRAMES else self.stdout
                if limit is not None:
                    payload = payload[: max(0, limit + 1 - kept[target])]
                if payload:
                    kept[target] += len(payload)
                    target.feed_data(payload)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.stdout.feed_eof()
            self.stderr.feed_eof()

    async def wait(self) -> int | None:
        """The exit status, once the command has ended and its output is all in."""
        await asyncio.shield(self._pump)
        if self.returncode is None:
            self.returncode = await self._exit_code()
        return self.returncode

    async def feed_all(self, data: bytes | None) -> None:
        if data is None or self.stdin is None:
            return
        try:
            self.stdin.write(data)
            await self.stdin.drain()
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.stdin.close()

    def close(self) -> None:
        self._pump.cancel()
        self._writer.close()
