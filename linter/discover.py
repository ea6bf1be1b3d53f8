"""Which files a run reads (the first stage: discover), and how paths are shown.

Reading them is :mod:`linter.load`'s job.
"""

from __future__ import annotations

import fnmatch
import os
from typing import Iterable, Iterator

from linter.parse import SUFFIXES

SKIP_DIRS = {
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    "__pycache__",
    ".venv",
    "venv",
    ".tox",
    ".peerlint_cache",
    ".mypy_cache",
    ".pytest_cache",
}


def relative_path(absolute: str, base: str) -> str:
    """``os.path.relpath(absolute, base)`` for a normalised absolute path and folder,
    without relpath's own normalising of both when ``absolute`` is plainly inside
    ``base`` (the common case: called twice per file, relpath was half of discovery's
    time on a large repository)."""
    if len(base) > 1 and absolute.startswith(base) and absolute[len(base) : len(base) + 1] == os.sep and os.sep == "/":
        return absolute[len(base) + 1 :]
    return os.path.relpath(absolute, base)


def display_path(path: str) -> str:
    """How ``path`` is shown: relative to the working directory when below it."""
    if os.sep == "/" and not path.startswith("/"):
        # a plain relative path (discovery's are "./dir/file"): already what _display
        # would make of it, without two getcwd() calls and a normpath per file
        rel = path[2:] if path.startswith("./") else path
        if rel and "//" not in rel and "/." not in rel and not rel.startswith("."):
            return rel
    return _display(os.path.abspath(path), os.getcwd())


def _display(absolute: str, cwd: str) -> str:
    """How a file is shown: relative to ``cwd`` when below it, else absolute."""
    try:
        rel = relative_path(absolute, cwd)
    except ValueError:
        return absolute.replace(os.sep, "/")
    return (absolute if rel.startswith("..") else rel).replace(os.sep, "/")


def _matches(rel: str, globs: Iterable[str]) -> bool:
    return any(fnmatch.fnmatch(rel, g) or fnmatch.fnmatch(rel, g.rstrip("/") + "/*") for g in globs)


def included(rel: str, include: list[str], exclude: list[str]) -> bool:
    """Whether a candidate file (``rel``: relative to the configuration's folder, with
    ``/``) is one a run reads: what :func:`iter_files` decides for a file it finds,
    for a list of paths that are not on disk (a git revision's)."""
    if not rel.lower().endswith(SUFFIXES) or any(part in SKIP_DIRS for part in rel.split("/")[:-1]):
        return False
    if exclude and _matches(rel, exclude):
        return False
    return not include or _matches(rel, include)


def iter_files(paths: list[str], root: str, include: list[str], exclude: list[str]) -> Iterator[str]:
    """Candidate files under ``paths``, sorted, de-duplicated, never following
    symlinked directories (loops) and skipping VCS and tool folders."""
    seen: set[str] = set()
    out: list[tuple[str, str]] = []  # (shown, path)
    base = os.path.abspath(root)
    cwd = os.getcwd()
    for given in paths:
        is_file = os.path.isfile(given)
        named = is_file or (os.path.islink(given) and not os.path.isdir(given))
        candidates: list[tuple[str, str]] = []  # (path, absolute)
        if not named and os.path.isdir(given):
            unlistable: list[OSError] = []
            for folder, dirs, files in os.walk(given, followlinks=False, onerror=unlistable.append):
                dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not os.path.islink(os.path.join(folder, d)))
                # one abspath per folder, not per file (a file name has no "/", ".", "..")
                # (os.path.join's own checks, per file, were a fifth of discovery)
                prefix = os.path.join(folder, "")
                absolute_prefix = os.path.join(os.path.abspath(folder), "")
                candidates.extend(
                    (prefix + f, absolute_prefix + f) for f in sorted(files) if f.lower().endswith(SUFFIXES)
                )
            # a folder that cannot be listed is read like a file, so its error is a PL001
            # problem ("cannot read file: Permission denied"), never silence (issue #21)
            candidates.extend((err.filename, os.path.abspath(err.filename)) for err in unlistable if err.filename)
        else:
            # named (read whatever its suffix), or missing: reported when read
            candidates.append((given, os.path.abspath(given)))
        for path, absolute in candidates:
            if absolute in seen:
                continue
            rel = relative_path(absolute, base).replace(os.sep, "/")
            if exclude and _matches(rel, exclude):
                continue
            if include and not _matches(rel, include) and not is_file:
                continue
            seen.add(absolute)
            out.append((_display(absolute, cwd), path))
    out.sort(key=lambda item: item[0])
    for _shown, path in out:
        yield path
