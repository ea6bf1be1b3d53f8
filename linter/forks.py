"""The one way peerlint forks: a child process that runs a function and may send
bytes back through a pipe, then exits without returning into the caller's code.

Three users, one protocol (fork, pipe, collect, kill on error):
- :mod:`linter.load.forkpool`: parse workers sharing chunks with this process;
- :mod:`linter.rulepool`: rules that skip the graph, on a second core;
- :mod:`linter.load.cache`: the parse cache saved in the background.

Why plain ``os.fork`` rather than multiprocessing or concurrent.futures (see
benchmarks/README.md): importing those and starting a pool costs ~35 ms, a large part
of a 1,000-file run, and a fork inherits the loaded project and warmed-up parsers for
free (copy-on-write). What each user sends, and how it shares work, stays its own
(each shape was measured); only the process plumbing lives here.

A child never returns: it leaves through ``os._exit`` (status 0 when the function
returned, 1 when it raised), so no atexit handler, buffered output or test runner
state of the parent runs twice. A caller that finds no child (``None``: forking is
not possible here) does the work itself; results never depend on forking.
"""

from __future__ import annotations

import os
import sys
from typing import Callable, Iterable


def available(linux_only: bool = True) -> bool:
    """Whether this platform forks (``linux_only``: and is Linux, where a fork of a
    big process was measured to pay; elsewhere the caller works serially)."""
    return hasattr(os, "fork") and (not linux_only or sys.platform.startswith("linux"))


class Child:
    """A forked child: its pid and the read end of its pipe (-1: no pipe)."""

    __slots__ = ("pid", "fd")

    def __init__(self, pid: int, fd: int) -> None:
        self.pid = pid
        self.fd = fd

    def close(self) -> None:
        """Close this side of the pipe (the child then fails writing, and exits)."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def wait(self) -> None:
        """Reap the child (it has exited or is about to)."""
        try:
            os.waitpid(self.pid, 0)
        except (ChildProcessError, InterruptedError):  # pragma: no cover
            pass

    def kill(self) -> None:
        """Stop the child now: its result is not wanted (the caller was interrupted)."""
        import signal

        try:
            os.kill(self.pid, signal.SIGKILL)
        except OSError:
            pass

    def collect(self) -> bytes:
        """Everything the child sent, once it closed its end; the child is reaped."""
        chunks = []
        try:
            while True:
                chunk = os.read(self.fd, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
        finally:
            self.close()
            self.wait()
        return b"".join(chunks)


def send(fd: int, data: bytes) -> None:
    """Write all of ``data`` to a pipe (a write may take only part of it)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def fork(
    body: Callable[[int], None], *, pipe: bool = True, pipe_size: int = 0, close_in_child: Iterable[int] = ()
) -> Child | None:
    """Run ``body(write_fd)`` in a forked child (``write_fd`` is -1 without ``pipe``)
    and return it, or None when no child could be started (no ``fork``, no file
    descriptors left). ``pipe_size``: ask Linux for a pipe buffer this big, so a child
    rarely waits for this process to read. ``close_in_child``: this process's other
    descriptors the child must not hold (another child's pipe: it would never see EOF)."""
    if not hasattr(os, "fork"):
        return None
    read_fd = write_fd = -1
    if pipe:
        try:
            read_fd, write_fd = os.pipe()
        except OSError:
            return None
        if pipe_size:
            try:
                import fcntl

                fcntl.fcntl(write_fd, fcntl.F_SETPIPE_SZ, pipe_size)  # type: ignore[attr-defined]
            except (ImportError, AttributeError, OSError):
                pass  # a smaller buffer only means the child waits for a read now and then
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        pid = os.fork()
    except OSError:
        for fd in (read_fd, write_fd):
            if fd >= 0:
                os.close(fd)
        return None
    if pid == 0:  # the child: never returns
        status = 1
        try:
            if read_fd >= 0:
                os.close(read_fd)
            for fd in close_in_child:
                os.close(fd)
            body(write_fd)
            status = 0
        except BaseException:
            pass
        finally:
            os._exit(status)
    if write_fd >= 0:
        os.close(write_fd)
    return Child(pid, read_fd)
