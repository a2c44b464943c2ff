"""The fork server's own program, run by `python3 -I -S -B -c` (standard library only; forkserver.py
starts it as `-c <this> <control fd> <preload file>`). It runs its preload (Python source) once,
says `ready` on its control socket, then forks a process per request there. A request is a program
(Python source, run in the preload's namespace) and three descriptors: the program's
stdin-and-stdout socket, its stderr, and a status socket on which the server writes the pid, then
the exit status. The harness is its parent: when it dies, so does the server (parent-death
signal)."""

import ctypes
import os
import selectors
import signal
import socket
import sys
import traceback

PR_SET_PDEATHSIG = 1


def run_program(program: str, fds: list[int], namespace: dict, inherited: list[int]) -> None:
    """In the forked process: its own session, the request's descriptors as 0, 1 and 2, then the
    program. Never returns."""
    code = 1
    try:
        for fd in inherited:  # the server's: a program must not reach the control socket
            os.close(fd)
        os.setsid()
        io, err, status = fds
        os.dup2(io, 0)
        os.dup2(io, 1)
        os.dup2(err, 2)
        for fd in fds:
            os.close(fd)
        exec(program, namespace)
        code = 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        if not isinstance(e.code, int | None):
            print(e.code, file=sys.stderr)
    except BaseException:
        traceback.print_exc()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


def serve(control: socket.socket, namespace: dict) -> None:
    """Fork for each request until the control socket closes; report each exit status."""
    sel = selectors.DefaultSelector()
    sel.register(control, selectors.EVENT_READ)
    running: dict[int, tuple[int, int]] = {}
    """pidfd -> (pid, status fd)"""
    while True:
        for key, _ in sel.select():
            if key.fd != control.fileno():
                pid, status = running.pop(key.fd)
                sel.unregister(key.fd)
                os.close(key.fd)
                code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
                report(status, code)
                os.close(status)
                continue
            try:
                program, fds, _, _ = socket.recv_fds(control, 1 << 20, 3)
            except OSError:
                return
            if not program:  # the harness closed its end
                return
            if len(fds) != 3:
                for fd in fds:
                    os.close(fd)
                continue
            inherited = [control.fileno(), sel.fileno(), *running, *(s for _, s in running.values())]
            try:
                pid = os.fork()
            except OSError:  # the machine is out of processes: the harness sees no pid, not a hang
                pid = -1
            if pid == 0:
                run_program(program.decode(), fds, namespace, inherited)
            os.close(fds[0])
            os.close(fds[1])
            if pid < 0:
                os.close(fds[2])
                continue
            report(fds[2], pid)
            pidfd = os.pidfd_open(pid)
            running[pidfd] = (pid, fds[2])
            sel.register(pidfd, selectors.EVENT_READ)


def report(fd: int, number: int) -> None:
    try:
        os.write(fd, b"%d\n" % number)
    except OSError:  # the harness gave up on this request
        pass


def main() -> None:
    parent = os.getppid()
    ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the harness died before we asked to be told
        return
    control = socket.socket(fileno=int(sys.argv[1]))
    namespace = {"__name__": "__main__", "__builtins__": __builtins__}
    try:
        with open(sys.argv[2]) as f:
            preload = f.read()
        sys.argv[:] = ["-c"]  # what a program sees under `python3 -c`
        exec(compile(preload, "preload", "exec"), namespace)
    except BaseException:
        control.send(b"failed " + traceback.format_exc().strip().splitlines()[-1].encode())
        return
    sys.stdout.flush()
    control.send(b"ready")
    serve(control, namespace)


if __name__ == "__main__":
    main()
