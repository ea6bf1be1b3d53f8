"""Shared test helpers: run peerlint in-process on a folder, format findings the way
fixture ``expected.txt`` files write them."""
from __future__ import annotations

import os
from functools import lru_cache
from typing import Iterable, Optional

import pytest

from linter.config import load_config
from linter.engine import Result, check
from linter.registry import load_rules

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(REPO), "shared")
FIXTURES = os.path.join(REPO, "tests", "fixtures")

#: Tests that read ../shared (the public corpus, the SARIF schema) skip without it.
needs_shared = pytest.mark.skipif(not os.path.isdir(os.path.join(SHARED, "corpus")), reason="../shared/corpus is not present")


@lru_cache(maxsize=1)
def all_rules():
    return load_rules()


def lint(folder: str, select: Iterable[str] = (), rules=None, paths: Optional[list[str]] = None) -> Result:
    """Lint ``folder`` as a project (its own peerlint.toml, if any), from inside it so
    paths in findings are relative to it."""
    old = os.getcwd()
    os.chdir(folder)
    try:
        config = load_config(".")
        return check(paths or ["."], config, rules or all_rules(), list(select))
    finally:
        os.chdir(old)


def expected_line(f) -> str:
    s = f.span
    return f"{f.path}:{s.line}:{s.col}-{s.end_line}:{s.end_col} {f.code}"


def read_expected(path: str) -> list[str]:
    """Non-comment lines of an expected file. Each is ``path:l:c-l:c CODE`` optionally
    followed by `` ~ text`` that the message must contain."""
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as handle:
        return [line.rstrip("\n") for line in handle if line.strip() and not line.startswith("#")]
