"""Path globs with gitignore semantics (``include``, ``exclude``, ``per-path-ignores``,
cluster ``paths``, ``helm-values``), through pathspec.

Why gitignore semantics: they are what users already write in ``.gitignore`` and what
ruff, black and pre-commit users expect: ``**/testdata/**`` excludes a top-level
``testdata/`` too, a pattern without a slash (``*.tf``) matches at any depth, and a
pattern that matches a folder matches everything below it. ``fnmatch``'s ``*``
crossed ``/`` and ``**/x`` never matched a top-level ``x``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Callable, Iterable

if TYPE_CHECKING:
    from pathspec import PathSpec

__all__ = ["glob_regex", "matches", "spec"]

_NAMED_GROUP = re.compile(r"\(\?P<[A-Za-z_]+>")


@lru_cache(maxsize=256)
def spec(globs: tuple[str, ...]) -> PathSpec:
    """The compiled globs (a run compiles each list once; pathspec is imported only
    when there are globs: it costs a check with none the import of concurrent.futures)."""
    from pathspec import PathSpec

    return PathSpec.from_lines("gitignore", globs)


def matches(rel: str, globs: Iterable[str]) -> bool:
    """Whether the ``/``-separated path ``rel`` (relative to the globs' folder) matches
    any of ``globs``; a ``!negation`` re-includes, as in ``.gitignore``."""
    globs = tuple(globs)
    if not globs:
        return False
    return spec(globs).match_file(rel.lstrip("/"))


_WILD = re.compile(r"[*?\[\]!\\]")


def _literal(rel: str, glob: str) -> bool:
    """gitignore semantics for a glob with no wildcard: with a slash before its end it is
    anchored at the root, else it names a file or folder at any depth; a folder holds
    everything below it."""
    body = glob.rstrip("/")
    if "/" in body:
        body = body.lstrip("/")
        return rel == body or rel.startswith(body + "/")
    return body in rel.split("/")


def _literals(globs: tuple[str, ...]) -> Callable[[str], bool]:
    """:func:`_literal` for many globs at once, by set lookups: anchored globs hold a
    path equal to them or below them (one of its ancestors is one), unanchored ones a
    path with a part equal to them (124 clusters' helm-values against every YAML file
    of a 10,000-file fleet was half a million calls, a tenth of the model stage)."""
    anchored, names = set(), set()
    for glob in globs:
        body = glob.rstrip("/")
        if "/" in body:
            anchored.add(body.lstrip("/"))
        else:
            names.add(body)

    def match(rel: str) -> bool:
        parts = rel.lstrip("/").split("/")
        if names and not names.isdisjoint(parts):
            return True
        if anchored:
            for end in range(1, len(parts) + 1):
                if "/".join(parts[:end]) in anchored:
                    return True
        return False

    return match


@lru_cache(maxsize=64)
def one_matcher(globs: tuple[str, ...]) -> Callable[[str], bool] | None:
    """A matcher of all ``globs`` at once, for many paths against one long list
    (pathspec tries each pattern in turn: 1,000 files against a fleet's helm-values
    globs was a third of the model stage). Literal globs (the usual ``helm-values``
    paths) need no pattern at all, nor pathspec's import; others become one compiled
    alternative. None when a glob is a negation, whose order matters: then use
    :func:`matches`. tests/test_globs_fast.py holds it to pathspec's decisions."""
    if not globs or any(g.startswith("!") for g in globs):
        return None
    if not any(_WILD.search(g) for g in globs):
        return _literals(tuple(g for g in globs if g.strip("/")))
    parts = [r for r in (glob_regex(g) for g in globs) if r is not None]
    if not parts:
        return None
    combined = re.compile("|".join(f"(?:{p})" for p in parts))
    return lambda rel: combined.match(rel.lstrip("/")) is not None


def glob_regex(glob: str) -> str | None:
    """One glob as a regular expression without named groups (so several can be
    alternatives in one pattern); None for a negation or an empty glob."""
    from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

    regex, include = GitIgnoreSpecPattern.pattern_to_regex(glob)
    if regex is None or not include:
        return None
    return _NAMED_GROUP.sub("(?:", regex)
