"""Writing output files: atomically (a temporary file beside the target, then a
rename), so a reader never sees half a report and a failed run leaves no debris."""

from __future__ import annotations

import os
import tempfile


def user_cache_dir() -> str:
    """peerlint's folder for per-user files kept outside any checked repository (the
    parse cache's signing key, the plugin entry points): ``$XDG_CACHE_HOME/peerlint``
    or ``~/.cache/peerlint``."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "peerlint")


def write_atomic(path: str, data: str | bytes) -> None:
    """Write text (UTF-8) or bytes to ``path`` atomically."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".peerlint-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
