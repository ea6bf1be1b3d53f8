"""No silent green: settings and paths of a run that matched nothing.

An ``include`` glob or a ``[clusters.NAME] paths`` glob that matches no file is a
configuration error (a typo there makes a whole cluster vanish, and the run is green);
a folder named on the command line that holds no file peerlint reads is a warning.
Judged on the files the run read, and only for runs over the whole project (a run over
one folder leaves the rest of the project's globs unmatched by design).
"""

from __future__ import annotations

import fnmatch
import os
from typing import Iterable

from linter.config import Config, ConfigError, code_line


def _rel(path: str, root: str) -> str:
    return os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")


def _covers_root(paths: Iterable[str], root: str) -> bool:
    """Whether the run read the whole project (a path at or above its root)."""
    for path in paths:
        absolute = os.path.abspath(path)
        if root == absolute or root.startswith(absolute.rstrip(os.sep) + os.sep):
            return True
    return False


def check_globs(config: Config, files: list[str], paths: list[str]) -> None:
    """Raise :class:`ConfigError` (with the line) for the first include or cluster
    paths glob that matches none of ``files``."""
    root = os.path.abspath(config.root)
    if config.path is None or not _covers_root(paths, root):
        return
    rels = [_rel(f, root) for f in files]

    def matches(glob: str) -> bool:
        glob = glob.rstrip("/")
        return any(fnmatch.fnmatch(r, glob) or fnmatch.fnmatch(r, glob + "/*") for r in rels)

    for glob in config.include:
        if not matches(glob):
            line = code_line(config.path, glob, config.line_of.get("include", 1) - 1)
            raise ConfigError(f"include glob {glob!r} matches no file under {config.root}", config.path, line)
    for name, cluster in config.clusters.items():
        for glob in cluster.paths:
            if not matches(glob):
                line = code_line(config.path, glob, 0)
                raise ConfigError(
                    f"[clusters.{name}] paths glob {glob!r} matches no file (paths are relative to {config.root})",
                    config.path,
                    line,
                )


def empty_folders(paths: list[str], files: list[str]) -> list[str]:
    """Folders named on the command line under which no file was read."""
    absolute = [os.path.abspath(f) for f in files]
    out = []
    for path in paths:
        if not os.path.isdir(path):
            continue
        prefix = os.path.abspath(path).rstrip(os.sep) + os.sep
        if not any(f.startswith(prefix) for f in absolute):
            out.append(path)
    return out
