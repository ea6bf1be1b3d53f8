"""No silent green: settings and paths of a run that matched nothing.

An ``include`` glob or a ``[clusters.NAME] paths`` glob that matches no file is a
configuration error (a typo there makes a whole cluster vanish, and the run is green);
a folder named on the command line that holds no file peerlint reads is a warning.
Judged on the files the run read, and only for runs over the whole project (a run over
one folder leaves the rest of the project's globs unmatched by design).
"""

from __future__ import annotations

import bisect
import fnmatch
import os
import re
from typing import Callable, Iterable

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


#: The last answer of :func:`check_globs` (a daemon asks again and again about the
#: same files: 124 cluster globs over 10,000 files are ~30 ms), by everything it reads.
_LAST_GLOBS: list = [None, None]


def check_globs(config: Config, files: list[str], paths: list[str]) -> None:
    """Raise :class:`ConfigError` (with the line) for the first include or cluster
    paths glob that matches none of ``files``."""
    root = os.path.abspath(config.root)
    if config.path is None or not _covers_root(paths, root):
        return
    key = (repr(config), os.getcwd(), tuple(paths), tuple(files))
    if _LAST_GLOBS[0] == key:
        if _LAST_GLOBS[1] is not None:
            raise _LAST_GLOBS[1]
        return
    try:
        _check_globs(config, files, root)
    except ConfigError as err:
        _LAST_GLOBS[:] = [key, err]
        raise
    _LAST_GLOBS[:] = [key, None]


def _check_globs(config: Config, files: list[str], root: str) -> None:
    prefix = root.rstrip(os.sep) + os.sep
    rels = []
    for f, absolute in zip(files, _absolutes(files)):  # relpath for each of 10,000 files was a tenth of a warm run
        rels.append(absolute[len(prefix) :].replace(os.sep, "/") if absolute.startswith(prefix) else _rel(f, root))
    matches = glob_matcher(rels)

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


_WILD = re.compile(r"[*?[]")


def glob_matcher(rels: list[str]) -> Callable[[str], bool]:
    """Whether a glob matches one of ``rels`` as ``fnmatch`` decides it (the glob, or
    anything below it as a folder). Each glob is compiled once and tried only on the
    paths that start with its literal head (a sorted list, bisected): a fleet's 124
    cluster globs against 10,000 files were 1.3 million fnmatch calls, 0.6 s of a warm
    run. tests/test_no_silent_green.py holds it to ``fnmatch``."""
    normed = sorted(os.path.normcase(r) for r in rels)

    def matches(glob: str) -> bool:
        glob = os.path.normcase(glob.rstrip("/"))
        wild = _WILD.search(glob)
        head = glob[: wild.start()] if wild else glob
        whole = re.compile(fnmatch.translate(glob)).match
        below = re.compile(fnmatch.translate(glob + "/*")).match
        for index in range(bisect.bisect_left(normed, head), len(normed)):
            rel = normed[index]
            if not rel.startswith(head):
                return False
            if whole(rel) or below(rel):
                return True
        return False

    return matches


def _absolutes(files: list[str]) -> Iterable[str]:
    """Each checked file's absolute path, made as needed. A file's display path
    (linter.discover.display_path) is normalised and relative to the working directory
    only when below it, so joining is enough (abspath per file was ~3 ms per 1,000)."""
    cwd = os.getcwd()
    here = cwd.rstrip(os.sep) + os.sep
    for f in files:
        if os.path.isabs(f):
            yield f
        elif f.startswith(".") or "/." in f or "//" in f or os.sep != "/":
            yield os.path.normpath(os.path.join(cwd, f))
        else:
            yield here + f


def empty_folders(paths: list[str], files: list[str]) -> list[str]:
    """Folders named on the command line under which no file was read."""
    out = []
    for path in paths:
        if not os.path.isdir(path):
            continue
        prefix = os.path.abspath(path).rstrip(os.sep) + os.sep
        if not any(f.startswith(prefix) for f in _absolutes(files)):
            out.append(path)
    return out
