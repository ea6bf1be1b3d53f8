"""Writing output files: atomically (a temporary file beside the target, then a
rename), so a reader never sees half a report and a failed run leaves no debris."""

from __future__ import annotations

import os
import stat
import tempfile


def user_cache_dir() -> str:
    """peerlint's folder for per-user files kept outside any checked repository (the
    parse cache's signing key, the plugin entry points): ``$XDG_CACHE_HOME/peerlint``
    or ``~/.cache/peerlint``."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "peerlint")


def write_atomic(path: str, data: str | bytes) -> None:
    """Write text (UTF-8) or bytes to ``path`` atomically. Only a regular file is ever
    replaced (issue #21): a device or pipe (``-o /dev/null``, ``/dev/stdout``) is written
    directly, since renaming over it (as root) turned /dev/null into a file; a symlink is
    kept and its target written; an existing file keeps its mode and a new one gets the
    umask's; the temporary file never outlives a failure."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        info = os.stat(path)  # follows links: what a write would reach
    except FileNotFoundError:
        info = None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(21, "is a directory", path)
    if info is not None and not stat.S_ISREG(info.st_mode):
        with open(path, "wb") as handle:
            handle.write(payload)
        return
    target = os.path.realpath(path) if os.path.islink(path) else path
    folder = os.path.dirname(os.path.abspath(target))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".peerlint-", dir=folder)
    except OSError as err:  # the user's path in the error, never the temp file's
        raise type(err)(err.errno, err.strerror, path) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        if info is not None:
            os.chmod(tmp, stat.S_IMODE(info.st_mode))
        else:
            umask = os.umask(0o022)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except OSError as err:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise type(err)(err.errno, err.strerror, path) from None
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def create_new(path: str, data: bytes) -> None:
    """Create ``path`` holding ``data``, atomically, and never over anything already
    there (``FileExistsError``): written to a temporary file beside it, then hard-linked
    into place (a link fails where a name exists, where a rename would replace it). The
    new file gets the umask's mode. A file system without hard links gets an exclusive
    create (``O_EXCL``) and one write instead."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".peerlint-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        umask = os.umask(0o022)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise
        except OSError:  # no hard links here (some network and FAT file systems)
            with open(path, "xb") as handle:
                handle.write(data)
    finally:
        try:
            os.unlink(tmp)
        except OSError:
            pass
