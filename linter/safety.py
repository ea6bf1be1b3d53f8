"""Confinement to the checked project, for reading and writing files a pull request may
have committed (issue #21).

Why a module of its own: the reading and writing code (discovery, the parse cache, the
report writers) is being moved between packages; the rules of what may be opened live
here once and are called from those places with one-line edits.

* Only regular files are read: a FIFO blocks a reader forever and a device
  (``/dev/tty``, ``/dev/zero``) waits on a terminal or never ends. Files are opened with
  ``O_NONBLOCK`` (opening a FIFO cannot block) and ``O_NOFOLLOW``, then checked with
  ``fstat``.
* A symlink is followed only when its target resolves inside one of the confinement
  roots (the project root and the folders named on the command line, or the language
  server's workspace): a committed link to ``~/.git-credentials`` or ``/etc/passwd``
  is never opened, so no excerpt of it can be printed.
"""

from __future__ import annotations

import errno
import os
import stat
from typing import Iterable

#: Real paths of the folders symlinks may point into; empty: no confinement was set up
#: (a library caller reading one file): links are then followed only into the
#: working directory.
_ROOTS: list[str] = []


class Refused(OSError):
    """A file peerlint will not open; ``str()`` says why in words for a PL001 problem."""


def confine(roots: Iterable[str]) -> None:
    """Set the folders symlinks may resolve into. Called by the engine before reading
    (forked parse workers inherit it) and by the language server for its workspace."""
    _ROOTS[:] = sorted({os.path.realpath(r) for r in roots if r and os.path.isdir(r)})


def roots() -> list[str]:
    return list(_ROOTS) or [os.path.realpath(os.getcwd())]


def inside(path: str, folders: Iterable[str] | None = None) -> bool:
    """Whether ``path`` resolves (all links followed) to somewhere inside one of
    ``folders`` (default: the confinement roots)."""
    real = os.path.realpath(path)
    for folder in roots() if folders is None else [os.path.realpath(f) for f in folders]:
        if real == folder or real.startswith(folder.rstrip(os.sep) + os.sep):
            return True
    return False


_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "directory"
    if stat.S_ISFIFO(mode):
        return "named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return "special file"


def open_regular(path: str) -> int:
    """A read-only descriptor on ``path``, which must be a regular file (through a
    symlink only when the link resolves inside the roots). Raises IsADirectoryError for
    a directory, :class:`Refused` for anything else peerlint will not read, and the
    usual OSError when it cannot be opened."""
    try:
        fd = os.open(path, _FLAGS)
    except OSError as err:
        if err.errno not in (errno.ELOOP, errno.EMLINK) or not os.path.islink(path):
            raise
        if not inside(path):
            raise Refused(errno.EPERM, "symlink to a file outside the project; not followed") from None
        fd = os.open(os.path.realpath(path), _FLAGS)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(path)
        if not stat.S_ISREG(mode):
            raise Refused(errno.EPERM, f"not a regular file (a {_kind(mode)}); not read")
    except BaseException:
        os.close(fd)
        raise
    return fd


def links_on_path(path: str, levels: int) -> bool:
    """Whether ``path`` or one of its ``levels`` parent folders is a symlink (or the
    path is a symlink, dangling or not). A cache folder a pull request committed as a
    link (``.peerlint_cache -> /etc``), or links inside it, must never be written
    through."""
    current = os.path.abspath(path)
    for _ in range(levels + 1):
        if os.path.islink(current):
            return True
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    return False
