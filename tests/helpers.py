"""Shared test helpers: run peerlint in-process on a folder, format findings the way
fixture ``expected.txt`` files write them."""

from __future__ import annotations

import json
import os
from functools import lru_cache
from typing import Iterable

import pytest

from linter.config import load_config
from linter.engine import Result, check
from linter.registry import load_rules

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: ../shared beside the checkout (the public corpus, external schemas); PEERLINT_SHARED
#: names it for a checkout elsewhere (a git worktree)
SHARED = os.environ.get("PEERLINT_SHARED") or os.path.join(os.path.dirname(REPO), "shared")
FIXTURES = os.path.join(REPO, "tests", "fixtures")

#: Tests that read ../shared (the public corpus, the SARIF schema) skip without it.
needs_shared = pytest.mark.skipif(
    not os.path.isdir(os.path.join(SHARED, "corpus")), reason="../shared/corpus is not present"
)


@lru_cache(maxsize=1)
def all_rules():
    return load_rules()


def lint(folder: str, select: Iterable[str] = (), rules=None, paths: list[str] | None = None) -> Result:
    """Lint ``folder`` as a project (its own peerlint.toml, if any), from inside it so
    paths in findings are relative to it."""
    old = os.getcwd()
    os.chdir(folder)
    try:
        config = load_config(".")
        return check(paths or ["."], config, rules or all_rules(), list(select))
    finally:
        os.chdir(old)


def _range(path: str, s) -> str:
    return f"{path}:{s.line}:{s.col}-{s.end_line}:{s.end_col}"


def expected_line(f) -> str:
    """The finding's first line in expected.txt without its message: where and which rule."""
    return f"{_range(f.path, f.span)} {f.code}"


def finding_lines(f) -> list[str]:
    """The whole finding as expected.txt pins it: ``path:l:c-l:c CODE severity ~ message``
    (the severity too: a finding that depends on a guess or an unknown ACL posture is a
    warning, and that difference is the rule's precision), then
    one ``  related: path:l:c-l:c ~ note`` line per related location (in order; no
    `` ~ note`` when the location has none), ``  fix: text`` when there is a fix
    (``  fix (unsafe): text`` for an unsafe one) and one ``  edit: path:l:c-l:c ->
    "new text"`` line per text edit of the fix (``  edit: path (new file) -> "text"`` for
    one that creates a file). Related locations and the fix carry most of a cross-file finding's value, so a
    fixture that left them out would let them regress unnoticed."""
    lines = [f"{expected_line(f)} {f.severity} ~ {_one_line(f.message)}"]
    for loc in f.related:
        note = f" ~ {_one_line(loc.message)}" if loc.message else ""
        lines.append(f"  related: {_range(loc.path, loc.span)}{note}")
    if f.fix is not None:
        lines.append(f"  fix{'' if f.fix.safe else ' (unsafe)'}: {_one_line(f.fix.message)}")
        for edit in f.fix.edits:
            where = f"{edit.path} (new file)" if edit.create else _range(edit.path, edit.span)
            lines.append(f"  edit: {where} -> {json.dumps(edit.new_text)}")
    return lines


def _one_line(text: str) -> str:
    """Line breaks written as ``\\n`` so every entry stays one line of the file."""
    return text.replace("\n", "\\n")


def read_expected(path: str) -> list[str]:
    """Lines of an expected file, comments (``#`` in column one) and blank lines left
    out: finding lines ``path:l:c-l:c CODE ~ message`` and their indented ``related:``
    and ``fix:`` lines (see tests/test_fixtures.py)."""
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as handle:
        return [line.rstrip("\n") for line in handle if line.strip() and not line.startswith("#")]
