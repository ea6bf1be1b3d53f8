"""The ``peerlint.rules`` entry points, without importlib.metadata on every run.

Why: finding entry points means importing ``importlib.metadata`` (~30 ms: it pulls in
``email``, ``zipfile``, ``csv``, ``pathlib``) and reading every installed
distribution's metadata (~15 ms with 130 of them), on every run, for an answer that
changes only when packages are installed or removed. So the answer is kept in the
user's cache folder (never in the checked repository), keyed by the import path:
every ``sys.path`` entry with its modification time. Installing, upgrading or
removing a distribution adds or removes a ``*.dist-info`` (or ``*.egg-info``) entry
in its folder, which changes that folder's modification time, so the key changes and
the metadata is read again. The same technique as stevedore's entry-point cache.

``PEERLINT_NO_PLUGIN_CACHE=1`` reads the metadata every time (for a plugin author
editing an installed ``entry_points.txt`` by hand).
"""

from __future__ import annotations

import importlib
import json
import os
import re
import sys
from typing import Any, NamedTuple

from linter.output import user_cache_dir, write_atomic

CACHE_VERSION = 2
#: importlib.metadata's own grammar of an entry point's value.
_VALUE = re.compile(r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$")


class EntryPoint(NamedTuple):
    """The part of ``importlib.metadata.EntryPoint`` peerlint uses."""

    name: str
    value: str

    def load(self) -> Any:
        """What the entry point names, loaded as importlib.metadata loads it."""
        match = _VALUE.match(self.value)
        if match is None:
            raise ValueError(f"malformed entry point value {self.value!r}")
        obj: Any = importlib.import_module(match.group("module"))
        attr = match.group("attr")
        for part in attr.split(".") if attr else ():
            obj = getattr(obj, part)
        return obj


def _cache_path() -> str:
    return os.path.join(user_cache_dir(), "entry-points.json")


def path_key() -> list[str]:
    """The import path's state: each entry and its modification time ("-" if absent)."""
    out = [sys.version, sys.executable]
    for entry in sys.path:
        try:
            out.append(f"{entry}\0{os.stat(entry or '.').st_mtime_ns}")
        except (OSError, ValueError):
            out.append(f"{entry}\0-")
    return out


#: Import paths remembered per group: ``peerlint`` run as a console script, with
#: ``python -m linter`` from a few folders, from a test runner... each has its own.
KEEP = 8


def _load(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        if isinstance(data, dict) and data.get("version") == CACHE_VERSION and isinstance(data.get("groups"), dict):
            return data
    except (OSError, ValueError):
        pass
    return {"version": CACHE_VERSION, "groups": {}}


def _read(path: str, group: str, key: list[str]) -> list[EntryPoint] | None:
    try:
        for entry in _load(path)["groups"].get(group, []):
            if entry["key"] == key:
                return [EntryPoint(str(name), str(value)) for name, value in entry["eps"]]
    except (KeyError, TypeError, ValueError, AttributeError):
        pass
    return None


def _write(path: str, group: str, key: list[str], eps: list[EntryPoint]) -> None:
    data = _load(path)
    known = data["groups"].get(group)
    known = [e for e in known if isinstance(e, dict) and e.get("key") != key] if isinstance(known, list) else []
    data["groups"][group] = [{"key": key, "eps": [list(ep) for ep in eps]}] + known[: KEEP - 1]
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        write_atomic(path, json.dumps(data))
    except OSError:
        pass  # no writable cache folder: read the metadata every time


def entry_points(group: str) -> list[EntryPoint]:
    """The entry points of ``group`` in the installed distributions, in
    importlib.metadata's order (from the cache when the import path is unchanged)."""
    use_cache = os.environ.get("PEERLINT_NO_PLUGIN_CACHE", "") in ("", "0")
    key = path_key() if use_cache else []
    path = _cache_path()
    if use_cache:
        cached = _read(path, group, key)
        if cached is not None:
            return cached
    from importlib.metadata import entry_points as scan

    eps = [EntryPoint(ep.name, ep.value) for ep in scan(group=group)]
    if use_cache:
        _write(path, group, key, eps)
    return eps
