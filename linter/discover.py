"""Which files a run reads, and reading them safely.

Reading never raises: a file that cannot be read, is binary, is not UTF-8 or is over
the size limit comes back as a problem with a location, which PL001 reports.
"""
from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from typing import Iterable, Iterator, Optional

from linter.parse import SUFFIXES
from linter.safety import Refused, open_regular

SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox", ".peerlint_cache", ".mypy_cache", ".pytest_cache"}


@dataclass
class SourceText:
    path: str  # as shown to the user: relative to the working directory when below it
    text: Optional[str]
    problem: Optional[str] = None
    line: int = 1
    col: int = 1
    #: the parse cache's key for ``text`` (a hash of it and its syntax), when a cached
    #: run computed one: the results cache fingerprints the files with it
    key: Optional[bytes] = None


def relative_path(absolute: str, base: str) -> str:
    """``os.path.relpath(absolute, base)`` for a normalised absolute path and folder,
    without relpath's own normalising of both when ``absolute`` is plainly inside
    ``base`` (the common case: called twice per file, relpath was half of discovery's
    time on a large repository)."""
    if len(base) > 1 and absolute.startswith(base) and absolute[len(base):len(base) + 1] == os.sep and os.sep == "/":
        return absolute[len(base) + 1:]
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
                candidates.extend((prefix + f, absolute_prefix + f) for f in sorted(files) if f.lower().endswith(SUFFIXES))
            # a folder that cannot be listed is read like a file, so its error is a PL001
            # problem ("cannot read file: Permission denied"), never silence (issue #21)
            candidates.extend((err.filename, os.path.abspath(err.filename)) for err in unlistable if err.filename)
        else:
            candidates.append((given, os.path.abspath(given)))  # named (read whatever its suffix), or missing: reported when read
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


def _read_up_to(fd: int, count: int) -> bytes:
    """``count`` bytes from ``fd``, or fewer at its end (os.read may return less)."""
    chunks = []
    while count > 0:
        chunk = os.read(fd, count)
        if not chunk:
            break
        chunks.append(chunk)
        count -= len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def read_source(path: str, max_size: int) -> SourceText:
    """The text of ``path`` or the reason it cannot be had."""
    shown = display_path(path)
    try:
        # os.open/fstat/read rather than open(): one stat fewer and no buffered file
        # object per file (reading was ~40 µs a file at 10,000 files, now ~15)
        # only regular files, never blocking, links only into the project (linter.safety)
        fd = open_regular(path)
        try:
            info = os.fstat(fd)
            size = info.st_size
            if size > max_size:
                return SourceText(shown, None, f"file is {size} bytes, over the {max_size}-byte limit (max-file-size); not read")
            # never more than the limit + 1, and not the limit's worth for a small file
            data = _read_up_to(fd, min(size, max_size) + 1)
            if len(data) > size:  # it grew since: read on up to the limit, as before
                data += _read_up_to(fd, max_size + 1 - len(data))
        finally:
            os.close(fd)
    except FileNotFoundError:
        return SourceText(shown, None, "file not found (removed while peerlint was running, or a broken link)")
    except IsADirectoryError:
        return SourceText(shown, None, "is a directory")
    except Refused as err:
        return SourceText(shown, None, err.strerror)
    except OSError as err:
        return SourceText(shown, None, f"cannot read file: {err.strerror or err}")
    if len(data) > max_size:
        return SourceText(shown, None, f"file is over the {max_size}-byte limit (max-file-size); not read")
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        return SourceText(shown, None, "binary file (contains a NUL byte)", line, nul - data.rfind(b"\n", 0, nul))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        col = err.start - data.rfind(b"\n", 0, err.start)
        return SourceText(shown, None, f"not valid UTF-8 (byte 0x{data[err.start]:02x})", line, col)
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return SourceText(shown, text)
