"""A stateful Python session inside the sandbox. Standard library only: it is copied there and run
by the sandbox's own interpreter.

    python repl_server.py start DIR MEMORY_MB   start a detached server; prints {"pid": N} once it listens
    python repl_server.py call DIR              one cell: a JSON request on stdin, a JSON response on stdout
    python repl_server.py stop DIR              kill the server and everything it started

The sandbox interface only runs commands to completion, so the session lives in a detached server
(its own session and process group) that keeps the variables, and each cell is one short `call`
process relaying a length-prefixed JSON frame over the server's Unix socket in DIR.

Request {"code", "timeout", "output_chars"}. Response {"output", "truncated", "timed_out"} or, when
the server hung past the timeout or died, {"dead": why}: the caller starts a fresh one.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import io
import json
import linecache
import os
import resource
import signal
import socket
import struct
import sys
import time
import traceback

HARD_KILL_GRACE_S = 2.0
"""A cell that ignores the soft timeout (C code, or `except BaseException`) dies this much later."""
ORPHAN_CHECK_S = 5.0
IDLE_EXIT_S = 3600.0
"""A server whose sandbox forgot it (socket gone, or idle this long) exits by itself."""


class CellTimeout(BaseException):
    """Raised into the running cell by SIGALRM; a BaseException so `except Exception` cannot eat it."""


def send(conn: socket.socket, message: dict) -> None:
    data = json.dumps(message).encode()
    conn.sendall(struct.pack(">I", len(data)) + data)


def receive(conn: socket.socket) -> dict:
    def exactly(n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = conn.recv(n - len(data))
            if not chunk:
                raise ConnectionError("the other end closed the connection")
            data += chunk
        return data

    (size,) = struct.unpack(">I", exactly(4))
    return json.loads(exactly(size))


class CappedText(io.TextIOBase):
    """Keeps the first two thirds of `limit` characters and the last third: errors come at the end."""

    def __init__(self, limit: int) -> None:
        self.head_limit = limit * 2 // 3
        self.tail_limit = limit - self.head_limit
        self.head, self.tail, self.size = "", "", 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.size += len(text)
        room = self.head_limit - len(self.head)
        self.head += text[:room]
        if len(text) > room:
            self.tail = (self.tail + text[room:])[-self.tail_limit :] if self.tail_limit else ""
        return len(text)

    @property
    def truncated(self) -> bool:
        return self.size > self.head_limit + self.tail_limit

    def value(self) -> str:
        if not self.truncated:
            return self.head + self.tail
        cut = self.size - len(self.head) - len(self.tail)
        return f"{self.head}\n[... {cut} characters cut ...]\n{self.tail}"


def run_cell(namespace: dict, code: str, number: int, timeout: float, out: CappedText) -> bool:
    """Execute like a notebook cell: the value of a final expression is printed. True on timeout."""
    name = f"<cell {number}>"
    linecache.cache[name] = (len(code), None, code.splitlines(True), name)  # tracebacks show the lines

    def on_alarm(*_: object) -> None:
        raise CellTimeout

    signal.signal(signal.SIGALRM, on_alarm)
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            try:
                signal.setitimer(signal.ITIMER_REAL, timeout)
                tree = ast.parse(code, name)
                last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
                exec(compile(tree, name, "exec"), namespace)
                if last is not None:
                    value = eval(compile(ast.Expression(last.value), name, "eval"), namespace)
                    if value is not None:
                        print(repr(value))
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        except CellTimeout:
            print(f"TimeoutError: the cell ran longer than {timeout:g}s and was interrupted")
            return True
        except BaseException as e:  # SystemExit too: the session outlives the cell
            report = traceback.TracebackException.from_exception(e)
            report.stack = traceback.StackSummary.from_list(
                [f for f in report.stack if f.filename != __file__]
            )
            print("".join(report.format()), end="")
    return False


def serve(listener: socket.socket, path: str) -> None:
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    number, last_used = 0, time.monotonic()
    listener.settimeout(ORPHAN_CHECK_S)
    while True:
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            if not os.path.exists(path) or time.monotonic() - last_used > IDLE_EXIT_S:
                return
            continue
        with conn:
            conn.settimeout(None)
            request = receive(conn)
            number += 1
            out = CappedText(int(request["output_chars"]))
            timed_out = run_cell(namespace, request["code"], number, float(request["timeout"]), out)
            send(conn, {"output": out.value(), "truncated": out.truncated, "timed_out": timed_out})
        last_used = time.monotonic()


def start(state: str, memory_mb: int) -> None:
    os.makedirs(state, exist_ok=True)
    path = os.path.join(state, "sock")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    ready_r, ready_w = os.pipe()
    first = os.fork()
    if first == 0:
        os.setsid()  # out of the caller's process group: the sandbox kills that when `start` returns
        if os.fork() == 0:
            os.setpgid(0, 0)  # a group of its own that `stop` kills whole: the cell's children too
            null = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):  # holding the caller's pipes open would keep its exec waiting
                os.dup2(null, fd)
            listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            listener.bind(path)
            listener.listen()
            with open(os.path.join(state, "pid"), "w") as f:
                f.write(str(os.getpid()))
            with open("/proc/self/statm") as f:
                limit = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE") + (memory_mb << 20)
            hard = resource.getrlimit(resource.RLIMIT_AS)[1]
            if hard == resource.RLIM_INFINITY or hard > limit:
                resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            os.write(ready_w, str(os.getpid()).encode())
            os.close(ready_w)
            os.close(ready_r)
            try:
                serve(listener, path)
            finally:
                os._exit(0)
        os._exit(0)
    os.close(ready_w)
    os.waitpid(first, 0)
    pid = os.read(ready_r, 32).decode()
    print(json.dumps({"pid": int(pid)} if pid else {"error": "the server did not start"}))


def stop(state: str) -> None:
    try:
        with open(os.path.join(state, "pid")) as f:
            pid = int(f.read())
        os.killpg(pid, signal.SIGKILL)
    except (OSError, ValueError):
        pass
    for name in ("sock", "pid"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.path.join(state, name))


def call(state: str) -> None:
    request = json.load(sys.stdin)
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.settimeout(float(request["timeout"]) + HARD_KILL_GRACE_S)
    try:
        conn.connect(os.path.join(state, "sock"))
        send(conn, request)
        response = receive(conn)
    except TimeoutError:
        stop(state)
        response = {"dead": "the cell did not stop at its timeout and the session was killed"}
    except (OSError, ValueError) as e:  # a crash (the memory limit's kill, os._exit) or no server
        stop(state)
        response = {"dead": f"the session died ({type(e).__name__})"}
    print(json.dumps(response))


if __name__ == "__main__":
    command, state_dir = sys.argv[1], sys.argv[2]
    if command == "start":
        start(state_dir, int(sys.argv[3]))
    elif command == "call":
        call(state_dir)
    else:
        stop(state_dir)
