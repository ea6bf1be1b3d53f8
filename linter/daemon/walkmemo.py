"""Discovery (linter.discover.iter_files) answered again without walking the tree,
when nothing it depends on changed. Speed code for the daemon, fenced off here:
tests/test_daemon_warm.py compares it with a fresh walk after every kind of change.

What a walk's answer depends on, besides its arguments and the configuration:

- the names in every folder it listed, and which of them are folders: a folder's
  modification time changes whenever an entry is created, removed or renamed in it
  (POSIX), so a folder whose time is unchanged lists the same names; one whose time
  changed (an editor that saves by renaming a new file over the old one) is listed
  again and compared, name by name;
- the ``.gitignore`` files it read or looked for (their signature: time, size,
  inode; a folder above the project is not listed, so its ``.gitignore`` is checked
  on its own), and where ``.git`` is;
- the paths named on the command line (a file, a folder, missing).

A folder that could not be listed (permissions change without any time changing)
means no memo: the tree is walked every time.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any

#: A file or folder changed this recently before it was read may change again within
#: its timestamp's tick unseen (1 s on some filesystems, 2 s on FAT): it is read (listed)
#: and compared every time until it is older. (linter.daemon.warm's files too.)
RACY_NS = 2_000_000_000

Signature = tuple[int, int, int, int]


def signature(path: str) -> Signature | None:
    """What tells a file changed without reading it (modification and change times,
    size, inode); None: it cannot be stat'ed."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return (info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino)


def _named(path: str) -> tuple[bool, bool, bool]:
    return (os.path.isfile(path), os.path.isdir(path), os.path.islink(path))


def _listing(folder: str) -> tuple[frozenset, frozenset] | None:
    """A folder's (subfolders, files) as os.walk splits them; None: unlistable."""
    dirs, files = [], []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                (dirs if is_dir else files).append(entry.name)
    except OSError:
        return None
    return frozenset(dirs), frozenset(files)


@dataclass
class WalkMemo:
    """One walk's answer and what it depends on."""

    key: str = ""
    files: list[str] = field(default_factory=list)
    folders: dict[str, tuple[int | None, tuple[frozenset, frozenset]]] = field(default_factory=dict)
    probes: dict[str, Any] = field(default_factory=dict)  # path -> signature / existence
    named: dict[str, tuple[bool, bool, bool]] = field(default_factory=dict)

    def answer(self, key: str) -> list[str] | None:
        """The remembered files if the walk ``key`` would find them again, else None."""
        if key != self.key or not self.files and not self.folders:
            return None
        for path, kind in self.named.items():
            if _named(path) != kind:
                return None
        for path, was in self.probes.items():
            now = signature(path) if path.endswith(".gitignore") else os.path.exists(path)
            if now != was:
                return None
        for folder, (mtime, listing) in self.folders.items():
            try:
                now = os.stat(folder).st_mtime_ns
            except OSError:
                return None
            if now != mtime:
                if _listing(folder) != listing:
                    return None
                # the same names (a file renamed over itself): remembered with its new time
                self.folders[folder] = (now if now + RACY_NS < time.time_ns() else None, listing)
        return list(self.files)

    def remember(self, key: str, files: list[str], paths: list[str], trace: dict, started: int) -> None:
        """What a walk begun at ``started`` (time.time_ns()) found, and what it read."""
        self.key, self.files = "", []
        if trace.get("unlistable"):
            return
        folders: dict[str, tuple[int | None, tuple[frozenset, frozenset]]] = {}
        for folder, listing in trace.get("folders", {}).items():
            try:
                mtime = os.stat(folder).st_mtime_ns
            except OSError:
                return
            folders[folder] = (mtime if mtime + RACY_NS < started else None, listing)
        probes: dict[str, Any] = {}
        ignores = trace.get("ignores")
        if ignores is not None:
            specs, tops = ignores.probed()
            for folder in specs:
                sig = signature(os.path.join(folder, ".gitignore"))
                if sig is not None and sig[0] + RACY_NS >= started:
                    return  # edited just now: walk again next time
                probes[os.path.join(folder, ".gitignore")] = sig
            for folder in tops:
                probes[os.path.join(folder, ".git")] = os.path.exists(os.path.join(folder, ".git"))
        self.folders, self.probes = folders, probes
        self.named = {path: _named(path) for path in paths}
        self.key, self.files = key, list(files)
