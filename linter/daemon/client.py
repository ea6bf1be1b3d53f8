"""``peerlint check``'s first step: if the project's daemon runs, let it answer.

Whatever goes wrong (no daemon, a daemon of another version, a closed connection, a
folder that is not private) means the command runs itself, as it would without a
daemon: the daemon can make a check faster, never different or broken. The daemon
answers with exactly what the command would have printed and its exit code.
"""

from __future__ import annotations

import os
import socket
import sys
from typing import Any

#: Connecting to a daemon that is not there (a stale socket) fails at once; one that
#: is there but stuck is not waited for longer than this to accept.
CONNECT_SECONDS = 2.0


def wanted(args: Any) -> bool:
    """Whether this ``check`` may be answered by a daemon: not with --no-daemon,
    PEERLINT_NO_DAEMON, --no-cache (nothing remembered is used) or standard input."""
    if getattr(args, "no_daemon", False) or args.no_cache or os.environ.get("PEERLINT_NO_DAEMON"):
        return False
    if not hasattr(socket, "AF_UNIX") or not hasattr(os, "getuid"):
        return False  # no Unix sockets (Windows): no daemon
    return "-" not in (args.paths or [])


def forward(args: Any, argv: list[str]) -> int | None:
    """The exit code of ``peerlint check ARGV`` run by the project's daemon, its output
    printed here; None when no daemon answers (then the command runs itself)."""
    if not wanted(args):
        return None
    from linter.daemon.address import private, project_root, runtime_dir, socket_path

    start = args.project or (args.paths[0] if args.paths else ".")
    root = project_root(start)
    path = socket_path(root)
    if not os.path.exists(path) or not private(runtime_dir()):
        return None
    from linter import __version__
    from linter.daemon.protocol import ProtocolError, receive, send

    request = {
        "command": "check",
        "version": __version__,
        "argv": argv,
        "cwd": os.getcwd(),
        "env": dict(os.environ),
        "tty": [sys.stdout.isatty(), sys.stderr.isatty()],
    }
    if sys.stdout.isatty() and "COLUMNS" not in os.environ:
        try:
            request["env"]["COLUMNS"] = str(os.get_terminal_size(sys.stdout.fileno()).columns)
        except OSError:
            pass
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(CONNECT_SECONDS)
            sock.connect(path)
            sock.settimeout(None)  # a first load of a large project takes seconds
            send(sock, request)
            reply = receive(sock)
    except (OSError, ProtocolError):
        return None
    if reply.get("status") != "done":
        if reply.get("stopped"):  # said once: otherwise every check would silently be slow again
            print(
                f"peerlint: the daemon for {root} ran another peerlint (upgraded or changed) and has stopped; "
                "`peerlint daemon start` starts a new one",
                file=sys.stderr,
            )
        return None
    sys.stdout.write(reply.get("stdout", ""))
    sys.stdout.flush()
    sys.stderr.write(reply.get("stderr", ""))
    return int(reply.get("code", 2))
