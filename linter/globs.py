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
from typing import TYPE_CHECKING, Iterable

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


def glob_regex(glob: str) -> str | None:
    """One glob as a regular expression without named groups (so several can be
    alternatives in one pattern); None for a negation or an empty glob."""
    from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

    regex, include = GitIgnoreSpecPattern.pattern_to_regex(glob)
    if regex is None or not include:
        return None
    return _NAMED_GROUP.sub("(?:", regex)
