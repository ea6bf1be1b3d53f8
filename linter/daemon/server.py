"""The daemon: ``peerlint daemon start|stop|status [DIR]`` and the process itself.

One daemon per project (linter.daemon.address), started only by ``peerlint daemon
start``, serving one request at a time. A request is the ``peerlint check`` command
line of a client: it runs here through the same code as in a one-shot process
(linter.cli.main), in the client's working directory and environment, its standard
output and error captured and sent back with the exit code, with the daemon's memory
(linter.daemon.warm) so that only what changed is read and linted again.

It declines (the client then runs itself) and exits when it is no longer the peerlint
the client runs: another version, or any of its own source files or of the installed
distributions (rule plugins) changed since it started. It exits after
``--idle-timeout`` minutes without a request (60 by default; 0: never), on ``stop``,
and on SIGTERM. Only a connection from the same user is served (the socket's folder is
private, and the peer's credentials are checked).
"""

from __future__ import annotations

import io
import os
import signal
import socket
import struct
import sys
import time
from typing import Any, Callable

from linter.commands.common import EXIT_ERROR, EXIT_OK
from linter.daemon.address import lock_path, make_private, runtime_dir, socket_path
from linter.daemon.protocol import ProtocolError, receive, send

IDLE_MINUTES = 60
#: How long a client may take to send its whole request (it sends it at once).
REQUEST_SECONDS = 5.0
#: How long a client may take to take the answer.
ANSWER_SECONDS = 30.0


class Captured(io.StringIO):
    """A captured standard stream that answers ``isatty`` as the client's does."""

    def __init__(self, tty: bool) -> None:
        super().__init__()
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty

    @property
    def buffer(self) -> Any:  # code that writes bytes (rare) writes text here
        return _Bytes(self)


class _Bytes:
    def __init__(self, text: Captured) -> None:
        self._text = text

    def write(self, data: bytes) -> int:
        return self._text.write(data.decode("utf-8", "replace"))

    def flush(self) -> None:
        pass


class CodeStamp:
    """What the daemon runs: the version, the installed distributions (a plugin
    installed or removed changes a site-packages folder's time) and every module it
    loaded from outside the standard library (peerlint, its rules, plugins and
    their dependencies), each file's modification time as first seen. Recorded again
    after the daemon read the project (every rule module is loaded by then), so an
    edit after that is noticed; a module imported later is read from the file as it
    is then: current by construction."""

    def __init__(self) -> None:
        from linter import __version__

        self.version = __version__
        self.path = _site_key()
        self.files: dict[str, int] = {}
        self.changed()

    def changed(self) -> bool:
        if _site_key() != self.path:
            return True
        stdlib = _STDLIB
        for module in list(sys.modules.values()):
            where = getattr(module, "__file__", None)
            if not where or where.startswith(stdlib):
                continue
            try:
                mtime = os.stat(where).st_mtime_ns
            except (OSError, ValueError):
                return True
            if self.files.setdefault(where, mtime) != mtime:
                return True
        return False


def _site_key() -> list:
    """The folders distributions are installed in, with their modification times
    (a source folder on the import path, an editable checkout, changes whenever a file
    is created in it: it is not a sign of an installation)."""
    out = []
    for entry in sys.path:
        if entry.rstrip(os.sep).endswith(("site-packages", "dist-packages")):
            try:
                out.append((entry, os.stat(entry).st_mtime_ns))
            except OSError:
                out.append((entry, -1))
    return out


def _stdlib() -> tuple[str, ...]:
    import sysconfig

    paths = sysconfig.get_paths()
    return tuple(
        {os.path.join(paths[name], "") for name in ("stdlib", "platstdlib") if paths.get(name)}
        - {os.path.join(paths.get("purelib", ""), "")}
    )


_STDLIB = _stdlib()


class Terminated(BaseException):
    """SIGTERM: the daemon stops, even in the middle of a request (whose client then
    runs the command itself: never an answer made up from an interrupted run)."""


class Daemon:
    """The serving loop and what it remembers."""

    def __init__(self, root: str, idle_minutes: float, entry: Callable[[list[str]], int]) -> None:
        from linter.daemon.warm import Warm

        self.root = root
        self.entry = entry  # the CLI's main (passed in: the CLI imports this module)
        self.idle = idle_minutes * 60 if idle_minutes > 0 else None
        self.warm = Warm()
        self.started = time.time()
        self.requests = 0
        self.stamp: CodeStamp | None = None
        self.settled = False
        self.stopping = False
        self.last_check = time.monotonic()  # for --idle-timeout

    # --- requests ----------------------------------------------------------------------
    def handle(self, request: dict[str, Any], conn: socket.socket | None = None) -> dict[str, Any]:
        """The answer to one request; a check is first acknowledged on ``conn`` (the
        client waits for a busy daemon only so long: linter.daemon.client)."""
        import linter

        command = request.get("command")
        if command == "stop":
            self.stopping = True
            return {"status": "stopped", "pid": os.getpid()}
        if command == "status":
            return self.status()
        if command != "check":
            return {"status": "decline", "why": f"unknown command {command!r}"}
        if request.get("package") != os.path.dirname(os.path.abspath(linter.__file__)):
            return {"status": "decline", "why": "another installation of peerlint"}  # (a hook's own venv)
        if request.get("version") != linter.__version__ or self.stamp is None or self.stamp.changed():
            self.stopping = True  # a newer peerlint runs now: this one is stale
            print("peerlint changed since the daemon started: stopping", file=sys.__stderr__, flush=True)
            return {"status": "decline", "why": "peerlint changed since the daemon started", "stopped": True}
        self.requests += 1
        self.last_check = time.monotonic()
        if conn is not None:
            send(conn, {"status": "accepted"})
        try:
            code, out, err = self.run_check(request)
        except Exception as error:  # a bug here must not break a commit: the client runs itself
            print(f"request failed: {type(error).__name__}: {error}", file=sys.__stderr__, flush=True)
            return {"status": "decline", "why": f"{type(error).__name__}: {error}"}
        return {"status": "done", "code": code, "stdout": out, "stderr": err}

    def run_check(self, request: dict[str, Any]) -> tuple[int, str, str]:
        """``peerlint check`` as the client would run it, answered from memory."""
        from linter.commands.common import set_warm_state

        argv = [str(a) for a in request.get("argv", [])]
        tty = request.get("tty") or [False, False]
        env = {str(k): str(v) for k, v in (request.get("env") or {}).items()}
        saved_env, saved_cwd = dict(os.environ), os.getcwd()
        # standard error is never a terminal here: a progress display cannot be shown
        # through a daemon that answers at the end (it left cursor codes in the output)
        out, err = Captured(bool(tty[0])), Captured(False)
        saved_streams = sys.stdout, sys.stderr
        mask = request.get("umask")
        saved_mask = os.umask(mask if isinstance(mask, int) and 0 <= mask <= 0o777 else 0o022)
        try:
            os.chdir(str(request.get("cwd")))
            os.environ.clear()
            os.environ.update(env)
            sys.stdout, sys.stderr = out, err
            set_warm_state(self.warm)
            try:
                code = self.entry(argv)
            except SystemExit as stop:  # argparse: --help, usage errors
                code = stop.code if isinstance(stop.code, int) else (EXIT_OK if stop.code is None else EXIT_ERROR)
        finally:
            set_warm_state(None)
            os.umask(saved_mask)
            sys.stdout, sys.stderr = saved_streams
            os.environ.clear()
            os.environ.update(saved_env)
            os.chdir(saved_cwd)
        return code, out.getvalue(), err.getvalue()

    def read_repository(self) -> None:
        """In a git repository, read what the pre-commit hook (``check --new-since
        HEAD``, run at the repository's top) will lint, the index and ``HEAD``, so that
        the first commit after ``daemon start`` is answered from memory too. Anything
        that goes wrong (not a repository, no commit yet) leaves it for the first hook."""
        import contextlib

        from linter.commands.common import set_warm_state
        from linter.commands.gitsnap import toplevel
        from linter.commands.newsince import new_since
        from linter.config import RunOptions
        from linter.load.cache import default_cache_dir
        from linter.registry import load_rules

        saved = os.getcwd()
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                os.chdir(toplevel(self.root))
                set_warm_state(self.warm)
                new_since(
                    "HEAD",
                    load_rules,
                    [],
                    [],
                    None,
                    lambda config: RunOptions(cache_dir=default_cache_dir(config), warm=self.warm),
                    always=True,
                    only=self.root,
                )
        except Exception as error:  # not a repository, no HEAD, a config error: the first hook reads it
            print(f"the repository was not read ahead: {type(error).__name__}: {error}", file=sys.__stderr__)
        finally:
            set_warm_state(None)
            os.chdir(saved)

    def settle(self) -> None:
        """After a request that read a project whole: freeze what is there, so later
        collections never walk it (linter.commands.editor.Editor.settle, the same).
        When a project state was dropped for it, what was frozen is collected first
        (the dropped state's memory); otherwise that full collection (~3 s at 10,000
        files) would only delay the next command."""
        from linter.load.gcpause import freeze_project

        if self.warm.fresh:
            freeze_project(collect_first=self.settled and self.warm.dropped)
            self.settled = True
            self.warm.fresh = self.warm.dropped = False

    def status(self) -> dict[str, Any]:
        import resource

        return {
            "status": "running",
            "pid": os.getpid(),
            "root": self.root,
            "uptime": round(time.time() - self.started, 1),
            "requests": self.requests,
            "lints": len(self.warm.lints),
            "whole_reads": self.warm.whole_reads,
            "rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        }

    # --- the loop ------------------------------------------------------------------------
    def serve(self, listener: socket.socket) -> None:
        """Answer one connection at a time until stopped, or idle: no check for
        ``--idle-timeout`` minutes (``status`` asks do not keep it alive)."""
        self.last_check = time.monotonic()
        while not self.stopping:
            if self.idle is not None:
                left = self.last_check + self.idle - time.monotonic()
                if left <= 0:
                    print("idle: stopping", file=sys.__stderr__, flush=True)
                    return
                listener.settimeout(left)
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue  # the loop decides whether it was idle
            except InterruptedError:
                continue
            with conn:
                if not _same_user(conn):
                    continue
                try:
                    request = receive(conn, time.monotonic() + REQUEST_SECONDS)  # never held by a stalled client
                    reply = self.handle(request, conn)
                    conn.settimeout(ANSWER_SECONDS)
                    send(conn, reply)
                except (OSError, ProtocolError):
                    continue
                finally:
                    self.settle()  # after the answer: a collection never delays a command


def _same_user(conn: socket.socket) -> bool:
    """Whether the peer runs as this user (SO_PEERCRED where the system has it)."""
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return True  # the private folder alone guards the socket
    try:
        _pid, uid, _gid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i")))
    except OSError:
        return False
    return uid == os.getuid()


def _terminated(*_: Any) -> None:
    raise Terminated()


def serve(root: str, idle_minutes: float, entry: Callable[[list[str]], int]) -> int:
    """The daemon process: take the project's lock (one daemon per project: a second
    start finds it held and leaves), bind, read the project once (as ``peerlint
    check`` there would, and the hook's index and HEAD), then serve until idle,
    stopped or stale. Only the lock's holder ever removes the socket."""
    import fcntl

    make_private(runtime_dir())
    lock = os.open(lock_path(root), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(lock)
        print(f"a daemon already serves {root}", file=sys.stderr)
        return EXIT_OK
    os.ftruncate(lock, 0)
    os.write(lock, str(os.getpid()).encode())
    path = socket_path(root)
    if os.path.lexists(path):
        os.unlink(path)  # a stale socket: its daemon is gone (it no longer holds the lock)
    daemon = Daemon(root, idle_minutes, entry)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old_mask = os.umask(0o077)
    try:
        listener.bind(path)
    finally:
        os.umask(old_mask)
    signal.signal(signal.SIGTERM, _terminated)
    try:
        os.chdir(root)
        daemon.stamp = CodeStamp()
        daemon.run_check({"argv": ["check", "--format", "json"], "cwd": root, "env": dict(os.environ)})  # warm up
        daemon.read_repository()
        daemon.stamp.changed()  # every rule module is loaded now: their times are the ones to keep
        daemon.settle()
        listener.listen(16)
        print(f"serving {root}", file=sys.stderr, flush=True)
        daemon.serve(listener)
    except Terminated:
        print("SIGTERM: stopping", file=sys.stderr, flush=True)
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        listener.close()
        try:
            os.unlink(path)
        except OSError:
            pass
        os.close(lock)  # (the lock goes with it)
    return EXIT_OK
