"""The lexer peerlint reads HCL with (pyhcl's, skipping string contents in runs: see
linter/parse/_hcl/hclparse._SKIP_RUNS) gives exactly the tokens, positions, line numbers
and errors of pyhcl's own lexer."""

from __future__ import annotations

import glob
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linter.parse._hcl import hclparse

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
    "",
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
    texts = _all_hcl_texts()
    assert len(texts) > 50
    for text in texts:
        _same(text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet='"\\${}\n a=1#/*<E-\t', max_size=60))
def test_random_text_lexes_alike(body: str) -> None:
    _same(body)
    _same(f'a = "{body}"\n')


# linter/parse/_hcl/hclfastlex.py: pyhcl's tokens in one regular-expression scan, for the
# texts it can be sure of; where it is used, tokens and parse results are pyhcl's.


def _fast_same(text: str) -> bool:
    """Whether the fast lexer took ``text``; if it did, its tokens must be pyhcl's
    and its spans those of the slow path."""
    from linter.parse._hcl import hclfastlex

    fast = hclfastlex.tokens(text, hclparse._pristine_lexer())
    if fast is None:
        return False
    assert [(t.type, t.value, t.lineno, t.lexpos) for t in fast] == [
        entry[:4] for entry in _stream(_pristine(), text)
    ], text
    assert [(t.start, t.end) for t in fast] == [(t.start, t.end) for t in hclparse._tokens(text)], text
    return True


def _all_hcl_texts() -> list[str]:
    paths = glob.glob(os.path.join(REPO, "**", "*.hcl"), recursive=True)
    paths += glob.glob(os.path.join(SHARED, "corpus", "**", "*.hcl"), recursive=True)
    out = []
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as handle:
            out.append(handle.read())
    return out


def test_the_fast_lexer_is_in_use_for_the_installed_pyhcl() -> None:
    from linter.parse._hcl import hclfastlex

    assert hclfastlex.table(hclparse._pristine_lexer()), (
        "pyhcl changed: check hclfastlex against it, then update KNOWN_LEXERS"
    )
    assert _fast_same('Kind = "mesh"\nport = 8500 # c\n/* m\n */ a = [1, -2.5, 0x1f, true]\n')


def test_the_fast_lexer_gives_pyhcls_tokens_on_every_file() -> None:
    texts = _all_hcl_texts()
    taken = sum(_fast_same(text) for text in texts)
    assert taken > 0.9 * len(texts)  # the fast path is the common one


def test_the_fast_lexer_gives_up_where_it_must() -> None:
    from linter.parse._hcl import hclfastlex

    for text in (
        'a = "esc \\" q"',
        'a = "${x}"',
        'a = "$"',
        "a = <<EOF\nx\nEOF\n",
        'a = "open',
        "a = @",
        "a = 1" + "0" * 5000,
        "a = \x00",
    ):
        assert hclfastlex.tokens(text, hclparse._pristine_lexer()) is None, text


def test_crafted_strings_lex_alike_fast() -> None:
    for text in CRAFTED + [
        "a = trueish\nb = 1e5\nc = 1.5e-3\nd = falsey\n",
        "x = 1 // c\n\n\ny = -0X1F\n",
        "a=b\r\n\f\vc=d",
    ]:
        _fast_same(text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet='"\\${}[]()\n a=1.e-+tf#/*<>!?:,\t\r', max_size=60))
def test_random_text_lexes_alike_fast(body: str) -> None:
    _fast_same(body)
    _fast_same(f'a = "{body}"\n')


def _parsed_both_ways(text: str) -> tuple:
    import marshal

    from linter.load.codec import encode
    from linter.parse import parse_text
    from linter.parse._hcl import hclfastlex

    def one() -> tuple:
        parsed = parse_text("x.hcl", text)
        error = (parsed.error.message, parsed.error.line, parsed.error.col) if parsed.error else None
        return marshal.loads(encode(parsed)), error

    fast = one()
    real = hclfastlex.tokens
    hclfastlex.tokens = lambda *_args: None
    try:
        slow = one()
    finally:
        hclfastlex.tokens = real
    return fast, slow


def test_parse_results_and_errors_are_the_same_with_the_fast_lexer() -> None:
    import random

    rnd = random.Random(7)
    texts = _all_hcl_texts()
    mutated = []
    for text in texts[:300]:
        for _ in range(3):
            if text:
                i = rnd.randrange(len(text))
                mutated.append(
                    text[:i]
                    + rnd.choice(['"', "{", "}", "[", "]", "=", ",", "\n", "#", "$", "\\", "x", "1", ".", "-", ""])
                    + text[i + rnd.randrange(0, 3) :]
                )
    errors = 0
    for text in texts + mutated:
        fast, slow = _parsed_both_ways(text)
        assert fast == slow, text
        errors += slow[1] is not None
    assert errors > 100  # the error path is exercised too
