"""The lexer peerlint reads HCL with (pyhcl's, skipping string contents in runs: see
linter/parse/hclparse._SKIP_RUNS) gives exactly the tokens, positions, line numbers
and errors of pyhcl's own lexer."""
from __future__ import annotations

import glob
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linter.parse import hclparse

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SHARED = os.path.join(os.path.dirname(REPO), "shared")

CRAFTED = [
    'a = "plain"\n',
    'a = "esc \\" quote" b = "back \\\\ slash"\n',
    'a = "\\\\"" b = 1\n',  # pyhcl reads \\" as an escaped quote: the string goes on
    'a = "${var.x}" b = "$${x}" c = "${a{b}c}" d = "$" e = "{"\n',
    'a = "${ "nested" }" b = "x${y}z${w}"\n',
    'a = "multi\nline\nstring"\nb = 2\n',
    'a = "unterminated\n',
    'a = "${unterminated"\n',
    'a = "tab\there ünïcødé €"\n',
    'a = <<EOF\nheredoc "with" quotes\nEOF\nb = <<-EOT\n\tindented\n\tEOT\n',
    'a = "\\\\\\\\\\"x"\n',
    'a = "trailing backslash \\\\"\n',
    '"quoted key" = "v"\n',
    '',
]


def _pristine():
    from hcl.lexer import Lexer

    return Lexer().lex


def _stream(lexer, text: str) -> list:
    lexer.input(text)
    out: list = []
    try:
        while True:
            tok = lexer.token()
            if tok is None:
                break
            out.append((tok.type, tok.value, tok.lineno, tok.lexpos, lexer.lexpos, lexer.lexstate))
    except Exception as err:  # the same error, message and all
        out.append((type(err).__name__, str(err)))
    return out


def _same(text: str) -> None:
    assert _stream(hclparse._new_lexer(), text) == _stream(_pristine(), text), text


def test_the_fast_rules_are_in_use() -> None:
    lexer = hclparse._new_lexer()
    for state, (_before, after) in hclparse._SKIP_RUNS.items():
        assert lexer.lexstatere[state][0][0].pattern.count(after) == 1, state


def test_crafted_strings_lex_alike() -> None:
    for text in CRAFTED:
        _same(text)


def test_every_hcl_file_in_the_repository_and_corpus_lexes_alike() -> None:
    paths = glob.glob(os.path.join(REPO, "**", "*.hcl"), recursive=True)
    paths += glob.glob(os.path.join(SHARED, "corpus", "**", "*.hcl"), recursive=True)
    assert len(paths) > 50
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as handle:
            _same(handle.read())


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet='"\\${}\n a=1#/*<E-\t', max_size=60))
def test_random_text_lexes_alike(body: str) -> None:
    _same(body)
    _same(f'a = "{body}"\n')
