"""``peerlint daemon start|stop|restart|status [DIR]``: what a user runs to manage a
project's daemon (linter.daemon.server is the daemon process itself)."""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
from typing import Any, Callable

from linter.commands.common import EXIT_ERROR, EXIT_OK
from linter.daemon.address import log_path, make_private, private, project_root, running_pid, runtime_dir, socket_path
from linter.daemon.protocol import ProtocolError, receive, send

#: How long ``start`` waits for the daemon to have read the project (and the hook's
#: index and HEAD): ~15 s at 10,000 files here.
START_SECONDS = 120.0


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
        from linter.daemon.server import serve

        return serve(root, args.idle_timeout, entry)
    folder_problem = _not_private()
    if folder_problem and args.action != "start" and args.action != "restart":
        print(f"peerlint: daemon: {folder_problem}", file=sys.stderr)
        return EXIT_ERROR
    if args.action == "status":
        return status(root)
    if args.action == "stop":
        return stop(root)
    if args.action == "restart":
        stop(root, quiet=True)
    return start(root, args.idle_timeout)


def _not_private() -> str | None:
    folder = runtime_dir()
    if os.path.lexists(folder) and not private(folder):
        return f"{folder} is not a private folder of this user (owner and mode 0700): no daemon is used; remove it"
    return None


def status(root: str) -> int:
    reply = ask(root, {"command": "status"})
    if reply is None or reply.get("status") != "running":
        pid = running_pid(root)
        if pid is not None:
            print(f"peerlint: a daemon runs for {root} (pid {pid}) but did not answer in 5 s (busy with a request)")
            return EXIT_OK
        print(f"peerlint: no daemon runs for {root}")
        return EXIT_ERROR
    print(
        f"peerlint: daemon for {reply['root']}: pid {reply['pid']}, up {reply['uptime']:.0f} s, "
        f"{reply['requests']} request(s), {reply['lints']} project state(s) in memory "
        f"(read whole {reply['whole_reads']} time(s)), peak memory {reply['rss_mib']} MiB"
    )
    return EXIT_OK


def stop(root: str, quiet: bool = False) -> int:
    """Ask the daemon to stop; one that does not answer (busy, stopped) is sent SIGTERM."""
    pid = running_pid(root)
    reply = ask(root, {"command": "stop"})
    if reply is None and pid is not None and pid > 0:
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass
    elif reply is None:
        if not quiet:
            print(f"peerlint: no daemon runs for {root}")
        return EXIT_OK
    deadline = time.monotonic() + 10
    while running_pid(root) is not None and time.monotonic() < deadline:
        time.sleep(0.02)
    if not quiet:
        print(f"peerlint: stopped the daemon for {root} (pid {reply.get('pid') if reply else pid})")
    return EXIT_OK


def start(root: str, idle_minutes: float) -> int:
    """Start the daemon in the background, and wait until it has read the project."""
    import subprocess

    try:
        make_private(runtime_dir())
    except OSError as err:
        print(f"peerlint: daemon: {err}", file=sys.stderr)
        return EXIT_ERROR
    pid = running_pid(root)
    if pid is not None:
        print(f"peerlint: a daemon already runs for {root} (pid {pid})")
        return EXIT_OK
    with open(log_path(root), "wb") as log:  # the latest daemon's log only
        proc = subprocess.Popen(
            # not "-m linter": that puts the starting folder on the import path
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
            if proc.returncode == EXIT_OK and running_pid(root) is not None:  # another start won the race
                print(f"peerlint: a daemon already runs for {root} (pid {running_pid(root)})")
                return EXIT_OK
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
