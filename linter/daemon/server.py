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
from linter.daemon.address import log_path, make_private, private, project_root, runtime_dir, socket_path
from linter.daemon.protocol import ProtocolError, receive, send

IDLE_MINUTES = 60
START_SECONDS = 30.0
#: How long a client may take to send its request, or to take the answer.
CLIENT_SECONDS = 30.0


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
    """What the daemon runs: the version, the import path (a plugin installed or
    removed changes a folder's time) and every peerlint and rule module it loaded,
    each file's modification time as it was when first seen (a module imported later
    is read from the file as it is then: current by construction)."""

    def __init__(self) -> None:
        from linter import __version__
        from linter.entrypoints import path_key

        self.version = __version__
        self.path = path_key()
        self.files: dict[str, int] = {}
        self.changed()

    def changed(self) -> bool:
        from linter.entrypoints import path_key

        if path_key() != self.path:
            return True
        for name, module in list(sys.modules.items()):
            if name.split(".")[0] not in ("linter", "rules"):
                continue
            where = getattr(module, "__file__", None)
            if not where:
                continue
            try:
                mtime = os.stat(where).st_mtime_ns
            except OSError:
                return True
            if self.files.setdefault(where, mtime) != mtime:
                return True
        return False


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

    # --- requests ----------------------------------------------------------------------
    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        from linter import __version__

        command = request.get("command")
        if command == "stop":
            self.stopping = True
            return {"status": "stopped", "pid": os.getpid()}
        if command == "status":
            return self.status()
        if command != "check":
            return {"status": "decline", "why": f"unknown command {command!r}"}
        if request.get("version") != __version__ or self.stamp is None or self.stamp.changed():
            self.stopping = True  # a newer peerlint runs now: this one is stale
            print("peerlint changed since the daemon started: stopping", file=sys.__stderr__, flush=True)
            return {"status": "decline", "why": "peerlint changed since the daemon started", "stopped": True}
        self.requests += 1
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
        out, err = Captured(bool(tty[0])), Captured(bool(tty[1]))
        saved_streams = sys.stdout, sys.stderr
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
        import gc

        if self.warm.fresh:
            if self.settled and self.warm.dropped:  # a project's worth of garbage: ~3 s at 10,000 files
                gc.unfreeze()
                gc.collect()
            gc.freeze()
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
        listener.settimeout(self.idle)
        while not self.stopping:
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                return  # idle
            except InterruptedError:
                continue
            with conn:
                if not _same_user(conn):
                    continue
                conn.settimeout(CLIENT_SECONDS)  # a client stopped half-way never holds the daemon
                try:
                    reply = self.handle(receive(conn))
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


def ask(root: str, message: dict[str, Any], timeout: float | None = 5.0) -> dict[str, Any] | None:
    """The daemon of ``root``'s answer to ``message``; None when none answers."""
    path = socket_path(root)
    if not os.path.exists(path) or not private(runtime_dir()):
        return None
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect(path)
            send(sock, message)
            return receive(sock)
    except (OSError, ProtocolError):
        return None


# --- the commands -------------------------------------------------------------------------
def run(args: Any, entry: Callable[[list[str]], int]) -> int:
    """``peerlint daemon ACTION [DIR]``; ``entry``: the CLI's main, which requests run."""
    folder = args.dir or "."
    if not hasattr(socket, "AF_UNIX") or not hasattr(os, "getuid"):
        print("peerlint: daemon: needs Unix sockets, which this system lacks", file=sys.stderr)
        return EXIT_ERROR
    if not os.path.isdir(folder):
        print(f"peerlint: daemon: no such directory: {folder}", file=sys.stderr)
        return EXIT_ERROR
    here = os.getcwd()
    os.chdir(folder)  # the project of DIR (without a configuration: DIR itself)
    try:
        root = project_root(".")
    finally:
        os.chdir(here)
    if args.action == "serve":
        return serve(root, args.idle_timeout, entry)
    if args.action == "status":
        reply = ask(root, {"command": "status"})
        if reply is None or reply.get("status") != "running":
            print(f"peerlint: no daemon runs for {root}")
            return EXIT_ERROR
        print(
            f"peerlint: daemon for {reply['root']}: pid {reply['pid']}, up {reply['uptime']:.0f} s, "
            f"{reply['requests']} request(s), {reply['lints']} project state(s) in memory "
            f"(read whole {reply['whole_reads']} time(s)), {reply['rss_mib']} MiB"
        )
        return EXIT_OK
    if args.action == "stop":
        return stop(root)
    if args.action == "restart":
        stop(root, quiet=True)
    return start(root, args.idle_timeout)


def stop(root: str, quiet: bool = False) -> int:
    reply = ask(root, {"command": "stop"})
    if reply is None:
        if not quiet:
            print(f"peerlint: no daemon runs for {root}")
        return EXIT_OK
    deadline = time.monotonic() + 10
    while os.path.exists(socket_path(root)) and time.monotonic() < deadline:
        time.sleep(0.02)
    if not quiet:
        print(f"peerlint: stopped the daemon for {root} (pid {reply.get('pid')})")
    return EXIT_OK


def start(root: str, idle_minutes: float) -> int:
    """Start the daemon in the background, and wait until it has read the project."""
    import subprocess

    reply = ask(root, {"command": "status"})
    if reply is not None and reply.get("status") == "running":
        print(f"peerlint: a daemon already runs for {root} (pid {reply['pid']})")
        return EXIT_OK
    try:
        make_private(runtime_dir())
    except OSError as err:
        print(f"peerlint: daemon: {err}", file=sys.stderr)
        return EXIT_ERROR
    with open(log_path(root), "ab") as log:
        proc = subprocess.Popen(
            # not "-m linter": that puts the starting folder on the import path, whose time
            # changes with every file created in it (CodeStamp would find it stale)
            [sys.executable, "-c", _LAUNCH, "daemon", "serve", root, "--idle-timeout", str(idle_minutes)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,  # not killed with the terminal that started it
            cwd=root,
        )
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            print(f"peerlint: the daemon could not start; see {log_path(root)}", file=sys.stderr)
            return EXIT_ERROR
        reply = ask(root, {"command": "status"}, timeout=None)
        if reply is not None and reply.get("status") == "running":
            print(f"peerlint: daemon started for {root} (pid {reply['pid']}); `peerlint check` there now asks it")
            return EXIT_OK
        time.sleep(0.05)
    print(f"peerlint: the daemon did not answer in {START_SECONDS:.0f} s; see {log_path(root)}", file=sys.stderr)
    return EXIT_ERROR


_LAUNCH = "import sys; del sys.path[0]; from linter.cli import main; sys.exit(main())"


def serve(root: str, idle_minutes: float, entry: Callable[[list[str]], int]) -> int:
    """The daemon process: bind, read the project once (as ``peerlint check`` there
    would), then serve until idle, stopped or stale."""
    make_private(runtime_dir())
    path = socket_path(root)
    if ask(root, {"command": "status"}) is not None:
        print(f"a daemon already serves {root}", file=sys.stderr)
        return EXIT_ERROR
    if os.path.exists(path):
        os.unlink(path)  # a stale socket: its daemon is gone
    daemon = Daemon(root, idle_minutes, entry)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old_mask = os.umask(0o077)
    try:
        listener.bind(path)
    finally:
        os.umask(old_mask)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(SystemExit(0)))
    try:
        os.chdir(root)
        daemon.stamp = CodeStamp()
        daemon.run_check({"argv": ["check", "--format", "json"], "cwd": root, "env": dict(os.environ)})  # warm up
        daemon.read_repository()
        daemon.settle()
        listener.listen(16)
        daemon.serve(listener)
    finally:
        listener.close()
        try:
            if os.path.exists(path):
                os.unlink(path)
        except OSError:
            pass
    return EXIT_OK
