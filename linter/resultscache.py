"""The results cache: when nothing a run depends on has changed, its findings are
those of the last identical run, and the graph and rules are not run again.

Why: rules are cross-file (a peering is judged from both clusters), so findings cannot
be cached per file as ruff does; but "nothing changed" is the common case for a
pre-commit hook or an editor re-run, and there the rules are most of the time left
once parsing is cached. A hit needs *everything* a finding may depend on to be equal,
so the key covers:

- every checked file: its path and exact text (or why it could not be read);
- the whole configuration (run options are not in it: linter.config.RunOptions) and
  the command's select/ignore/focus;
- the rules: codes and classes, and the size and mtime of every source file of
  peerlint itself (a development checkout changes without a version bump), of every
  rule plugin's module, and of the libraries rules lean on;
- peerlint's version and Python's.

A run in which a rule failed (PL000) is never stored. The file is written and checked
exactly like the parse cache (atomic, MAC-signed with a key outside the repository;
see :mod:`linter.load.cache`), then decoded from marshal of plain values
(:mod:`linter.cachecodec`): a file that fails the check is never decoded.
"""

from __future__ import annotations

import os
import sys
from typing import Iterable

try:
    from _blake2 import blake2b  # what hashlib.blake2b is, without hashlib loading OpenSSL (~10 ms)
except ImportError:  # pragma: no cover - a Python without the built-in blake2
    from hashlib import blake2b

from linter import __version__
from linter.config import Config
from linter.load.cache import _dist_stamp, mac_key, read_signed, write_signed

MAGIC = b"peerlint-results-cache\n"
LIBRARIES = ("jsonschema", "referencing", "networkx", "hcl", "ruamel.yaml")


def _tree_stamp(folder: str, out: list[str]) -> None:
    for here, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".py", ".json")):
                path = os.path.join(here, name)
                try:
                    stat = os.stat(path)
                except OSError:
                    continue
                out.append(f"{path}:{stat.st_size}:{stat.st_mtime_ns}")


def code_stamp(rules: dict) -> str:
    """Rule classes and the files the code that runs them came from."""
    import linter

    parts = [__version__, sys.version]
    folders = set()
    for package in (linter, sys.modules.get("linter.rules"), sys.modules.get("linter.schemas")):
        for folder in getattr(package, "__path__", []) or []:
            folders.add(os.path.abspath(folder))
    for folder in sorted(folders):
        _tree_stamp(folder, parts)
    for code, rule in sorted(rules.items()):
        parts.append(f"{code}={rule.__module__}.{rule.__qualname__}")
        module = sys.modules.get(rule.__module__)
        path = getattr(module, "__file__", None)
        if path and not any(os.path.abspath(path).startswith(f + os.sep) for f in folders):
            try:
                stat = os.stat(path)
                parts.append(f"{path}:{stat.st_size}:{stat.st_mtime_ns}")
            except OSError:
                parts.append(path)
    parts.extend(f"{name}={_dist_stamp(name)}" for name in LIBRARIES)
    return "\n".join(parts)


def options_key(
    config: Config, focus: set[str] | None, rules: dict, select: Iterable[str], ignore: Iterable[str]
) -> str:
    """Everything besides the files' content that findings depend on. The whole
    Config is hashed: how a run goes (jobs, cache folder) is not in it."""
    text = "\0".join(
        (
            repr(config),
            repr(sorted(select)),
            repr(sorted(ignore)),
            repr(sorted(focus) if focus is not None else None),
            code_stamp(rules),
        )
    )
    return blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def content_digest(sources: list) -> bytes:
    """Every checked file (SourceText), in order: its path and text, or why it could
    not be read (parse results follow from the text)."""
    digest = blake2b(digest_size=32)
    for source in sources:
        digest.update(source.path.encode("utf-8", "surrogatepass") + b"\0")
        if source.text is not None and source.key is not None:
            digest.update(b"K" + source.key)  # a hash of the text already made for the parse cache
        elif source.text is not None:
            digest.update(b"T%d\0" % len(source.text))
            digest.update(source.text.encode("utf-8", "surrogatepass"))
        else:
            digest.update(f"P{source.problem}\0{source.line}:{source.col}\0".encode("utf-8", "surrogatepass"))
    return digest.digest()


class ResultsCache:
    """One stored run per set of options: its content digest and findings."""

    def __init__(
        self,
        folder: str,
        config: Config,
        focus: set[str] | None,
        sources: list,
        rules: dict,
        select: Iterable[str],
        ignore: Iterable[str],
    ) -> None:
        self.key = options_key(config, focus, rules, select, ignore)
        self.path = os.path.join(folder, __version__, f"results-{self.key}.bin")
        self.digest = content_digest(sources)
        self.mac_key = mac_key()

    def load(self) -> tuple[list, bool, list[str]] | None:
        """(findings, internal error, the run's notes) of an identical earlier run."""
        body = read_signed(self.path, MAGIC, self.mac_key)
        if body is None:
            return None
        from linter.cachecodec import decode_results

        decoded = decode_results(body)  # marshal of plain values: data, never code (issue #21)
        if decoded is None:
            return None
        digest, findings, internal, notes = decoded
        if digest != self.digest or not isinstance(findings, list):
            return None
        return findings, internal, list(notes)

    def save(self, findings: list, internal: bool, notes: list[str] = ()) -> None:  # type: ignore[assignment]
        if internal:
            return  # a failing rule is not a result to repeat
        try:
            from linter.cachecodec import encode_results

            body = encode_results(self.digest, findings, internal, list(notes))
        except Exception:
            return
        write_signed(self.path, MAGIC, self.mac_key, body)
