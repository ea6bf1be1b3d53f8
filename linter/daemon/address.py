"""Where a project's daemon listens, found the same way by ``peerlint check`` and by
``peerlint daemon start``.

A project is the folder of the nearest configuration (``peerlint.toml``,
``.peerlint.toml``, ``[tool.peerlint]``) at or above where the command starts, or,
without one, the working directory. Its socket is in a folder only this user may
enter (``$XDG_RUNTIME_DIR/peerlint`` or ``/tmp/peerlint-UID``, mode 0700, checked
before every use: another user may have made it first), named by a hash of the
project's path (a socket path is at most 107 bytes).
"""

from __future__ import annotations

import hashlib
import os
import stat

from linter.configfind import find_config


def project_root(start: str) -> str:
    """The project whose daemon serves a command started at ``start``."""
    found = find_config(start)
    return os.path.dirname(os.path.abspath(found)) if found else os.path.abspath(os.getcwd())


#: A Unix socket's path holds at most 107 bytes (104 on macOS); the name takes 26.
MAX_FOLDER = 76


def runtime_dir() -> str:
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.isabs(runtime):
        folder = os.path.join(runtime, "peerlint")
    else:
        folder = os.path.join(os.environ.get("TMPDIR") or "/tmp", f"peerlint-{os.getuid()}")
    return folder if len(folder.encode("utf-8", "surrogateescape")) <= MAX_FOLDER else f"/tmp/peerlint-{os.getuid()}"


def private(folder: str) -> bool:
    """Whether ``folder`` is a real folder of this user that nobody else may enter."""
    try:
        info = os.lstat(folder)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o077


def make_private(folder: str) -> None:
    """Create the runtime folder (0700); raise PermissionError if it is not private."""
    os.makedirs(folder, mode=0o700, exist_ok=True)
    if not private(folder):
        raise PermissionError(f"{folder} is not a private folder of this user (owner and mode 0700); remove it")


def _name(root: str) -> str:
    return hashlib.blake2b(root.encode("utf-8", "surrogateescape"), digest_size=10).hexdigest()


def socket_path(root: str) -> str:
    return os.path.join(runtime_dir(), _name(root) + ".sock")


def log_path(root: str) -> str:
    return os.path.join(runtime_dir(), _name(root) + ".log")


def lock_path(root: str) -> str:
    return socket_path(root)[: -len(".sock")] + ".lock"


def running_pid(root: str) -> int | None:
    """The pid of the daemon holding ``root``'s lock (it runs, busy or not), or None."""
    import fcntl

    try:
        fd = os.open(lock_path(root), os.O_RDONLY)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            data = os.read(fd, 32).decode("ascii", "replace").strip()
            return int(data) if data.isdigit() else -1
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None  # nobody holds it: no daemon
    finally:
        os.close(fd)
