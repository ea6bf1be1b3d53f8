"""Findings of a project state read from git, remembered by that state: for ``check
--new-since``, whose REV side is the same on every run at one ``HEAD`` (a commit tried
again) and is, after a commit, what the previous run linted as the index. So a hook
run usually lints one side, not two.

A state is named by what its findings depend on: every file's path and blob id (git
names content by hash, so no file needs reading to know it is unchanged), the
configuration, the rules' code, the selection and the working directory (findings
carry paths relative to it). Entries are signed like the other caches (a key outside
the repository), and only the few most recent are kept.
"""

from __future__ import annotations

import os
import pickle

try:
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python without the built-in blake2
    from hashlib import blake2b

from linter import __version__
from linter.config import Config
from linter.load.cache import mac_key, read_signed, write_signed
from linter.resultscache import options_key

MAGIC = b"peerlint-snapshots\n"
KEEP = 8


def state_key(config: Config, files: list[tuple[str, str]], rules: dict, select: list[str], ignore: list[str]) -> str:
    """The name of one project state: ``files`` are (path, blob id) pairs."""
    digest = blake2b(digest_size=20)
    digest.update(options_key(config, None, rules, select, ignore).encode())
    digest.update(os.getcwd().encode("utf-8", "surrogateescape") + b"\0")
    for path, blob in files:
        digest.update(f"{path}\0{blob}\0".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


class Snapshots:
    """State name -> (findings, internal error), in one signed file."""

    def __init__(self, folder: str | None) -> None:
        self.path = os.path.join(folder, __version__, "snapshots.bin") if folder else None
        self.mac_key = mac_key() if folder else None
        self.entries: dict[str, tuple[list, bool]] | None = None
        self.read: set[str] = set()  # states found here (kept when others are put)

    def _load(self) -> dict[str, tuple[list, bool]]:
        if self.entries is None:
            self.entries = {}
            body = read_signed(self.path, MAGIC, self.mac_key) if self.path else None
            if body is not None:
                try:
                    loaded = pickle.loads(body)
                except Exception:
                    loaded = None
                if isinstance(loaded, dict):
                    self.entries = loaded
        return self.entries

    def get(self, key: str) -> tuple[list, bool] | None:
        found = self._load().get(key)
        if found is not None:
            self.read.add(key)
        return found

    def put(self, key: str, findings: list, internal: bool) -> None:
        """Remember one state's findings (never a run where a rule failed)."""
        if self.path is None or self.mac_key is None or internal:
            return
        entries = self._load()
        entries.pop(key, None)
        entries[key] = (findings, internal)
        # the oldest go, but never a state this run read (the revision's, which every
        # hook run at one HEAD reads while each adds a new index state)
        stale = [k for k in entries if k not in self.read and k != key]
        for old in stale[: max(0, len(entries) - KEEP)]:
            del entries[old]
        try:
            write_signed(self.path, MAGIC, self.mac_key, pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            pass  # a cache that cannot be written is only slower
