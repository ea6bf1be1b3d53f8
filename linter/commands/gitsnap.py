"""Reading a git repository's index and revisions into memory, for ``check
--new-since``: the project as it will be committed (the index: what ``git show
:path`` shows) and as it was at a revision, never through the working tree (a
pre-commit run must lint what is staged, not what happens to be on disk).

Everything goes through git's plumbing (``ls-files -s``, ``ls-tree``, ``diff
--cached``, one ``cat-file --batch`` for every blob), so a 10,000-file project costs
four processes, not one per file.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass

#: A tree (its blobs by path) and the index have the same shape: path -> blob id.
Tree = dict[str, str]

#: Regular files only: symbolic links (120000) hold a target, gitlinks (160000) a commit.
_FILE_MODES = ("100644", "100755")


class GitError(Exception):
    """git is missing, this is not a repository, or a revision does not exist."""


@dataclass
class Change:
    """One path that differs between a revision and the index."""

    status: str  # A, M, D, R, C, T (git's letters; R and C without their score)
    path: str  # the path in the index (for D: the path that was deleted)
    old_path: str | None = None  # R and C: the path at the revision


def git(top: str, *args: str, data: bytes | None = None) -> bytes:
    """``git args`` in ``top``; its standard output, or a :class:`GitError` saying why not."""
    # The environment is kept: inside a hook, GIT_INDEX_FILE names the index being
    # committed (``git commit -a`` and ``git commit PATH`` use a temporary one).
    try:
        proc = subprocess.run(["git", *args], cwd=top, input=data, capture_output=True)
    except OSError as err:
        raise GitError(f"cannot run git: {err.strerror or err}")
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {args[0]} failed: {message[-1] if message else f'exit {proc.returncode}'}")
    return proc.stdout


def toplevel(start: str) -> str:
    """The working tree's top folder for ``start``."""
    try:
        return os.path.abspath(git(start, "rev-parse", "--show-toplevel").decode().strip())
    except GitError as err:
        raise GitError(f"{os.path.abspath(start)} is not inside a git working tree ({err})")


def resolve(top: str, rev: str) -> str | None:
    """The commit ``rev`` names; None for ``HEAD`` before the first commit (everything
    staged is then new)."""
    try:
        return git(top, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}").decode().strip()
    except GitError:
        if rev == "HEAD":
            try:
                git(top, "rev-parse", "--verify", "--quiet", "HEAD")
            except GitError:
                return None  # an unborn branch
        raise GitError(f"unknown revision {rev!r} (--new-since needs a commit, branch or tag)")


def index_tree(top: str) -> Tree:
    """Path -> blob id of every regular file in the index (merged entries only)."""
    out: Tree = {}
    for record in git(top, "ls-files", "-s", "-z").split(b"\0"):
        if not record:
            continue
        meta, _, path = record.partition(b"\t")
        mode, blob, stage = meta.decode().split()
        if stage == "0" and mode in _FILE_MODES:
            out[path.decode("utf-8", "surrogateescape")] = blob
    return out


def commit_tree(top: str, commit: str | None) -> Tree:
    """Path -> blob id of every regular file at ``commit`` (None: nothing)."""
    if commit is None:
        return {}
    out: Tree = {}
    for record in git(top, "ls-tree", "-r", "-z", "--full-tree", commit).split(b"\0"):
        if not record:
            continue
        meta, _, path = record.partition(b"\t")
        mode, kind, blob = meta.decode().split()
        if kind == "blob" and mode in _FILE_MODES:
            out[path.decode("utf-8", "surrogateescape")] = blob
    return out


def staged_changes(top: str, commit: str | None) -> list[Change]:
    """What the index changes relative to ``commit`` (renames detected, so a finding
    that only moved with its file is not new)."""
    base = commit if commit is not None else git(top, "hash-object", "-t", "tree", "/dev/null").decode().strip()
    fields = git(top, "diff", "--cached", "--name-status", "-z", "-M", "--no-ext-diff", base, "--").split(b"\0")
    changes: list[Change] = []
    i = 0
    while i < len(fields) and fields[i]:
        status = fields[i].decode()[:1]
        if status in ("R", "C"):
            old, new = (f.decode("utf-8", "surrogateescape") for f in fields[i + 1 : i + 3])
            changes.append(Change(status, new, old))
            i += 3
        else:
            changes.append(Change(status, fields[i + 1].decode("utf-8", "surrogateescape")))
            i += 2
    return changes


def read_blobs(top: str, blobs: set[str]) -> dict[str, bytes]:
    """The content of every blob in ``blobs``, in one ``git cat-file --batch``."""
    if not blobs:
        return {}
    order = sorted(blobs)
    raw = git(top, "cat-file", "--batch", data="".join(b + "\n" for b in order).encode())
    out: dict[str, bytes] = {}
    pos = 0
    for blob in order:
        end = raw.index(b"\n", pos)
        header = raw[pos:end].decode().split()
        pos = end + 1
        if len(header) < 3 or header[1] == "missing":
            continue
        size = int(header[2])
        out[blob] = raw[pos : pos + size]
        pos += size + 1  # the content, then a newline
    return out
