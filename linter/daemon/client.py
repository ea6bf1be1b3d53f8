"""``peerlint check``'s first step: if the project's daemon runs, let it answer.

Whatever goes wrong (no daemon, a daemon of another version or installation, a
closed connection, a daemon busy or stopped for longer than :data:`ACCEPT_SECONDS`,
a folder that is not private, a working folder that is gone) means the command runs
itself, as it would without a daemon: the daemon can make a check faster, never
different or broken. The daemon answers with exactly what the command would have
printed and its exit code.

Commands that write files a user may interrupt (``--fix``, ``--unsafe-fixes``,
``--add-suppressions``, ``--write-baseline``) run here: Ctrl-C must stop them. So do
reports written to a path that means *this* process (``/dev/stdout``,
``/proc/self/fd/1``, a shell's ``>(...)``, ``/dev/tty``).
"""

from __future__ import annotations

import os
import socket
import sys
import time
from typing import Any

#: The daemon takes a request at once unless it is busy with another one (or stopped):
#: then the command does not wait longer than this and runs itself.
ACCEPT_SECONDS = 5.0
#: A request the daemon took is answered within this, or the command runs itself.
ANSWER_SECONDS = 300.0
#: Paths that name the process writing them: a daemon writing there writes elsewhere.
_OWN_PATHS = ("/dev/", "/proc/")


def wanted(args: Any) -> bool:
    """Whether this ``check`` may be answered by a daemon (see the module's docstring)."""
    if getattr(args, "no_daemon", False) or args.no_cache or _disabled(os.environ.get("PEERLINT_NO_DAEMON")):
        return False
    if not hasattr(socket, "AF_UNIX") or not hasattr(os, "getuid"):
        return False  # no Unix sockets (Windows): no daemon
    if (args.fix or args.unsafe_fixes) and not args.diff or args.add_suppressions is not None or args.write_baseline:
        return False  # (--diff writes nothing)
    outputs = [args.output, *(spec.partition("=")[2] for spec in args.output_format)]
    if any(path and path.startswith(_OWN_PATHS) for path in outputs):
        return False
    return "-" not in (args.paths or [])


def _disabled(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def forward(args: Any, argv: list[str]) -> int | None:
    """The exit code of ``peerlint check ARGV`` run by the project's daemon, its output
    printed here; None when no daemon answers (then the command runs itself)."""
    if not wanted(args):
        return None
    try:
        return _forward(args, argv)
    except OSError:  # a working folder that is gone, ...: the command runs itself and says so
        return None


def _forward(args: Any, argv: list[str]) -> int | None:
    from linter.daemon.address import private, project_root, runtime_dir, socket_path

    start = args.project or (args.paths[0] if args.paths else ".")
    root = project_root(start)
    path = socket_path(root)
    if not os.path.exists(path) or not private(runtime_dir()):
        return None
    import linter
    from linter.daemon.protocol import ProtocolError, receive, send

    mask = os.umask(0)
    os.umask(mask)
    request = {
        "command": "check",
        "version": linter.__version__,
        "package": os.path.dirname(os.path.abspath(linter.__file__)),
        "argv": argv,
        "cwd": os.getcwd(),
        "env": dict(os.environ),
        "umask": mask,
        "tty": [sys.stdout.isatty(), sys.stderr.isatty()],
    }
    if sys.stdout.isatty() and "COLUMNS" not in os.environ:
        try:
            request["env"]["COLUMNS"] = str(os.get_terminal_size(sys.stdout.fileno()).columns)
        except OSError:
            pass
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(ACCEPT_SECONDS)
            sock.connect(path)
            send(sock, request)
            reply = receive(sock, time.monotonic() + ACCEPT_SECONDS)
            if reply.get("status") == "accepted":
                reply = receive(sock, time.monotonic() + ANSWER_SECONDS)
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
