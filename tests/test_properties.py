"""Property tests: whatever the text, parsing and the whole pipeline answer with
documents or a located PL001, never an exception. Bounded example counts keep this in
the normal suite; fuzz/campaign.py runs the long campaign."""

from __future__ import annotations

import os
import random
import sys

from helpers import REPO, SHARED, all_rules
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from linter.config import Config
from linter.engine import INTERNAL_ERROR, run_rules
from linter.inmemory import project_from_texts
from linter.nodes import walk
from linter.parse import parse_text

sys.path.insert(0, os.path.join(REPO, "fuzz"))
from mutate import JUNK, load_seeds, mutate

SEEDS = load_seeds(os.path.join(SHARED, "corpus")) or [("x.hcl", 'Kind = "mesh"\n')]
NAMES = st.sampled_from(["f.hcl", "f.json", "f.yaml"])
TEXT = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(JUNK + ["a", "b", "Kind", "1", "x", "=", " "]), max_size=60).map("".join),
)


def _inside(text: str, line: int, col: int) -> bool:
    lines = text.split("\n")
    return 1 <= line <= len(lines) + 1 and 1 <= col <= (len(lines[line - 1]) + 2 if line <= len(lines) else 2)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(NAMES, TEXT)
@example("a.yaml", "-\r0")  # YAML breaks lines at a lone \r: its error mark pointed past the text
def test_parse_never_raises_and_positions_are_inside(name: str, text: str) -> None:
    parsed = parse_text(name, text)
    if parsed.error is not None:
        assert _inside(text, parsed.error.line, parsed.error.col), (
            parsed.error.message,
            parsed.error.line,
            parsed.error.col,
        )
    for root in parsed.documents:
        for node in walk(root):
            assert _inside(text, node.span.line, node.span.col), node


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=len(SEEDS) - 1), st.integers(min_value=0, max_value=2**32))
def test_mutated_corpus_through_the_whole_pipeline(index: int, seed: int) -> None:
    name, text = SEEDS[index]
    text = mutate(text, random.Random(seed))
    project = project_from_texts({name: text}, Config())
    findings, internal = run_rules(project, all_rules())
    assert not internal, [f.message for f in findings if f.code == INTERNAL_ERROR]
    for f in findings:
        if f.code == "PL001":
            assert _inside(text, f.span.line, f.span.col), (f.message, f.span)
