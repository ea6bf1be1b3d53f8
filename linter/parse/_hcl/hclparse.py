"""HCL (v1, the dialect Consul reads) to nodes with exact positions.

pyhcl decides what is valid (one ``HclParser`` is built per process and reused:
building its PLY tables costs ~40 ms a file; linter/parse/_hcl/hcltables.py ships them). pyhcl keeps no positions, so a second
pass walks pyhcl's own lexer tokens, which carry offsets, and rebuilds the same tree
as position-keeping nodes. Repeated keys follow Consul's HCL v1 decoding: repeated
labelled blocks (``service "a" {}`` ``service "b" {}``) merge into one object; repeated
unlabelled blocks (``upstreams {}`` twice) become a list.
"""

from __future__ import annotations

import bisect
import re
from functools import partial
from typing import Any, NamedTuple

from linter.nodes import Mapping, Node, Scalar, Sequence, Span, finish, make_scalar
from linter.parse._hcl import hclfastlex
from linter.parse.errors import ParseError

_PARSER: Any = None
_LEXER: Any = None

_NEWLINE = re.compile("\n")
_bisect = bisect.bisect_right
_tuple_new = tuple.__new__
_LEX_ERROR = re.compile(r"Line (\d+), column (\d+), index (\d+): (.*)", re.S)
_YACC_ERROR = re.compile(r"Line (\d+), column (\d+): (.*)", re.S)

_VALUE_TOKENS = frozenset(("NUMBER", "FLOAT", "BOOL"))  # end where the lexer stopped
_LITERALS = {"STRING", "NUMBER", "FLOAT", "BOOL", "IDENTIFIER"}
_EXPR_TOKENS = {
    "ADD",
    "MINUS",
    "MULTIPLY",
    "DIVIDE",
    "EPLUS",
    "EMINUS",
    "QMARK",
    "COLON",
    "PERIOD",
    "GT",
    "LT",
    "EQ",
    "NE",
    "LE",
    "GE",
    "LEFTPAREN",
    "RIGHTPAREN",
    "ASTERISK_PERIOD",
}


class _Tok(NamedTuple):
    """A token and the offsets it spans (made with ``tuple.__new__``: one per token)."""

    type: str
    value: Any
    start: int
    end: int


class _Lines:
    """Offset to (line, column), 1-based."""

    def __init__(self, text: str) -> None:
        self.starts = [0]
        self.starts.extend(match.end() for match in _NEWLINE.finditer(text))

    def pos(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line] + 1

    def span(self, start: int, end: int) -> Span:
        starts = self.starts
        line = _bisect(starts, start)
        end_line = _bisect(starts, end)
        return _tuple_new(Span, (line, start - starts[line - 1] + 1, end_line, end - starts[end_line - 1] + 1))


#: pyhcl's rules that skip one character of a string (or of a ``${...}`` inside one)
#: per match, and rules that skip a whole run of them with the same result: in a
#: string each further character is skipped only if neither of the rules listed
#: before it in pyhcl's state would take it (an escaped quote or backslash, a ``{``
#: after ``$``), which the lookarounds check at every character. The skipping
#: functions do nothing with what they match, so the tokens, their positions and the
#: lexer's state are the same; but a string costs one match instead of one per
#: character (the characters of strings were ~45% of every match pyhcl's lexer made).
_SKIP_RUNS = {
    "string": ('(?P<t_string_ignoring>[^\\"])', '(?P<t_string_ignoring>(?:(?!(?<=\\\\)[\\\\"])(?!(?<=\\$)\\{)[^"])+)'),
    "stringdollar": ("(?P<t_stringdollar_dontcare>[^\\{\\}])", "(?P<t_stringdollar_dontcare>[^{}]+)"),
}


def _skip_runs(lexer: Any) -> None:
    """Let ``lexer`` (a pristine template) skip string contents in runs (see
    :data:`_SKIP_RUNS`); a state whose pattern is not exactly the one expected (another
    pyhcl) is left as it is. tests/test_hcllexer.py checks the tokens are identical."""
    import re as _re

    for state, (before, after) in _SKIP_RUNS.items():
        masters = lexer.lexstatere.get(state)
        if not masters or len(masters) != 1:
            continue
        master, index = masters[0]
        if master.pattern.count(before) != 1:
            continue
        replaced = _re.compile(master.pattern.replace(before, after), master.flags)
        if replaced.groups != master.groups or replaced.groupindex != master.groupindex:
            continue
        lexer.lexstatere[state] = [(replaced, index)]


def _pristine_lexer() -> Any:
    """The template every lexer is cloned from (built once per process)."""
    global _LEXER
    if _LEXER is None:
        from hcl.lexer import Lexer

        _LEXER = Lexer().lex
        _skip_runs(_LEXER)
    return _LEXER


def _new_lexer() -> Any:
    """A fresh pyhcl lexer, cloned from one pristine template: building a pyhcl
    ``Lexer`` compiles its master regex again (~0.5 ms, a quarter of a file's parse)."""
    lexer = _pristine_lexer().clone()
    lexer.lexstatestack = []  # clone() is shallow: never share the state stack
    return lexer


class _Recorder:
    """The lexer pyhcl's parser reads from, keeping every token with its exact span
    as it goes: one lexing pass serves both pyhcl's judgement and the walk that
    rebuilds the tree with positions (lexing is ~40% of a file's parse)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.raw = _new_lexer()
        self.next_token = self.raw.token
        self.out: list[_Tok] = []

    def input(self, text: str) -> None:
        self.raw.input(text)

    def token(self) -> Any:
        tok = self.next_token()
        if tok is not None:
            self.out.append(_located(self.text, self.raw, tok))
        return tok


def _validate(text: str, lines: _Lines) -> list[_Tok]:
    """Let pyhcl judge the text; turn its ValueError into a located ParseError.
    Returns the tokens pyhcl's parser read, with their spans."""
    global _PARSER
    if _PARSER is None:
        from linter.parse._hcl.hcltables import new_parser

        _PARSER = new_parser()
    recorder = _Recorder(text)
    try:
        _PARSER.yacc.parse(text, lexer=recorder, debug=False)
    except ValueError as err:
        message = str(err)
        lex = _LEX_ERROR.match(message)
        if lex:
            line, col = lines.pos(int(lex.group(3)))
            raise ParseError(f"invalid HCL: {lex.group(4)}", line, col)
        yacc = _YACC_ERROR.match(message)
        if yacc:
            # pyhcl prints the absolute offset where it says "column"
            line, col = lines.pos(int(yacc.group(2)))
            raise ParseError(f"invalid HCL: {yacc.group(3)}", line, col)
        end_line = len(lines.starts)
        raise ParseError(f"invalid HCL: {message}", end_line, 1)
    except RecursionError:
        raise ParseError("HCL nesting is too deep to read")
    except Exception as err:  # pyhcl's own bugs must not escape as tracebacks
        raise ParseError(f"invalid HCL: {err}")
    return recorder.out


def _located(text: str, raw: Any, tok: Any) -> _Tok:
    """A token with its span, read from the lexer's state just after it was produced."""
    kind, value, start = tok.type, tok.value, tok.lexpos
    if kind == "STRING":
        if (
            text.startswith('"', start)
            and getattr(raw, "lexstate", "INITIAL") == "INITIAL"
            and start >= getattr(raw, "abs_start", 0)
        ):
            start, end = raw.abs_start - 1, start + 1
        else:  # heredoc: from the << marker to the end of the terminator
            start, end = text.rfind("<<", 0, raw.here_start), raw.lexpos
    elif kind in _VALUE_TOKENS:
        end = raw.lexpos
    else:
        end = start + len(value if type(value) is str else str(value))
    return _tuple_new(_Tok, (kind, value, start, end))


def _tokens(text: str) -> list[_Tok]:
    """Every token of ``text`` with its span (without pyhcl's judgement)."""
    lexer = _new_lexer()
    lexer.input(text)
    out: list[_Tok] = []
    while True:
        tok = lexer.token()
        if tok is None:
            return out
        out.append(_located(text, lexer, tok))


class _Walker:
    """Rebuilds pyhcl's tree from the tokens it read, with positions. The hot methods
    (objectlist, objectitem, objectkey, value) read ``self.toks[self.i]`` directly
    rather than through peek()/next(): a call frame per token less."""

    def __init__(self, text: str, tokens: list[_Tok], lines: _Lines) -> None:
        self.text = text
        self.toks = tokens
        self.n = len(tokens)
        self.i = 0
        self.span = lines.span

    def peek(self, ahead: int = 0) -> _Tok | None:
        j = self.i + ahead
        return self.toks[j] if j < self.n else None

    def next(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def expect(self, type_: str) -> _Tok:
        tok = self.peek()
        if tok is None or tok.type != type_:
            raise ParseError(f"invalid HCL: expected {type_}")
        return self.next()

    # objectlist := (objectitem [COMMA])*
    def objectlist(self, closing: str | None, start: int) -> Mapping:
        items: list[tuple[Scalar, Node, bool]] = []
        toks, n = self.toks, self.n
        while True:
            i = self.i
            if i >= n:
                break
            kind = toks[i].type
            if closing and kind == closing:
                break
            if kind == "COMMA":
                self.i = i + 1
                continue
            items.append(self.objectitem())
        end = toks[self.i - 1].end if self.i else start
        return Mapping(self._merge(items), self.span(start, max(end, start)))

    def _merge(self, items: list[tuple[Scalar, Node, bool]]) -> list[tuple[Scalar, Node]]:
        groups: dict[str, list[int]] = {}
        for idx, (key, _value, _labelled) in enumerate(items):
            groups.setdefault(str(key.value), []).append(idx)
        if len(groups) == len(items):  # no key repeats: nothing to merge
            return [(key, value) for key, value, _labelled in items]
        out: list[tuple[Scalar, Node]] = []
        for idx, (key, value, _labelled) in enumerate(items):
            same = groups[str(key.value)]
            if len(same) == 1 or not isinstance(value, Mapping):
                out.append((key, value))
                continue
            if idx != same[0]:
                continue
            blocks = [items[j] for j in same]
            if all(isinstance(v, Mapping) for _k, v, _l in blocks):
                first, last = blocks[0][1].span, blocks[-1][1].span
                span = Span(first.line, first.col, last.end_line, last.end_col)
                if all(lab for _k, _v, lab in blocks):
                    entries = [e for _k, v, _l in blocks for e in v.entries]  # type: ignore[union-attr]
                    out.append((key, Mapping(entries, span)))
                else:
                    out.append((key, Sequence([v for _k, v, _l in blocks], span)))
            else:
                out.extend((k, v) for k, v, _l in blocks)
        return out

    def objectkey(self) -> Scalar:
        tok = self.toks[self.i]
        self.i += 1
        kind = tok.type
        if kind == "IDENTIFIER":
            return make_scalar(tok.value, self.span(tok.start, tok.end), False)
        if kind == "STRING":
            return make_scalar(tok.value, self.span(tok.start, tok.end), True)
        if kind not in ("NUMBER", "FLOAT", "BOOL"):
            raise ParseError(f"invalid HCL: unexpected {kind}")
        return make_scalar(self.text[tok.start : tok.end], self.span(tok.start, tok.end), False)

    def objectitem(self) -> tuple[Scalar, Node, bool]:
        keys = [self.objectkey()]
        toks, n = self.toks, self.n
        while True:
            if self.i >= n:
                raise ParseError("invalid HCL: unexpected end of file")
            kind = toks[self.i].type
            if kind == "EQUAL" or kind == "COLON":
                self.i += 1
                value = self.value()
                return self._nest(keys, value) if len(keys) > 1 else (keys[0], value, False)
            if kind == "LEFTBRACE":
                value = self.object()
                return self._nest(keys, value) if len(keys) > 1 else (keys[0], value, False)
            if kind == "IDENTIFIER" or kind == "STRING":
                keys.append(self.objectkey())
                continue
            raise ParseError(f"invalid HCL: unexpected {kind}")

    def _nest(self, keys: list[Scalar], value: Node) -> tuple[Scalar, Node, bool]:
        for label in reversed(keys[1:]):
            span = Span(label.span.line, label.span.col, value.span.end_line, value.span.end_col)
            value = Mapping([(label, value)], span)
        return keys[0], value, len(keys) > 1

    def object(self) -> Mapping:
        open_ = self.expect("LEFTBRACE")
        body = self.objectlist("RIGHTBRACE", open_.start)
        close = self.expect("RIGHTBRACE")
        body.span = self.span(open_.start, close.end)
        return body

    def list(self) -> Sequence:
        open_ = self.expect("LEFTBRACKET")
        items: list[Node] = []
        toks, n = self.toks, self.n
        while True:
            if self.i >= n:
                raise ParseError("invalid HCL: unterminated list")
            kind = toks[self.i].type
            if kind == "RIGHTBRACKET":
                break
            if kind == "COMMA":
                self.i += 1
                continue
            items.append(self.value())
        close = self.next()
        return Sequence(items, self.span(open_.start, close.end))

    def value(self) -> Node:
        toks, n = self.toks, self.n
        i = self.i
        if i >= n:
            raise ParseError("invalid HCL: value expected")
        first = toks[i]
        kind = first.type
        if kind == "LEFTBRACE":
            return self.object()
        if kind == "LEFTBRACKET":
            return self.list()
        start = first.start
        end = first.end
        i += 1
        depth = 0
        # Expressions (arithmetic, exponents, ternaries, function calls) are rare in
        # Consul files: keep their text as the value.
        while i < n:
            nxt = toks[i].type
            if nxt == "LEFTPAREN":
                depth += 1
            elif nxt == "RIGHTPAREN":
                depth -= 1
            elif depth == 0 and not (nxt in _EXPR_TOKENS or (nxt in _LITERALS and toks[i - 1].type in _EXPR_TOKENS)):
                break
            elif depth == 0 and nxt == "COLON" and kind not in _LITERALS:
                break
            end = toks[i].end
            i += 1
        self.i = i
        span = self.span(start, end)
        if end == first.end:
            if kind == "STRING":
                return make_scalar(first.value, span, True)
            return make_scalar(first.value, span, False)
        text = self.text[start:end]
        try:
            return Scalar(float(text.replace(" ", "")), span)
        except ValueError:
            return Scalar(text, span)


class _Replay:
    """A lexer for pyhcl's parser that hands out tokens lexed beforehand."""

    __slots__ = ("token",)

    def __init__(self, tokens: list) -> None:
        self.token = partial(next, iter(tokens), None)


def _validate_fast(text: str, lines: _Lines) -> list | None:
    """pyhcl's judgement on the tokens :mod:`linter.parse._hcl.hclfastlex` made, when it
    could make them. On any error the text is judged again the slow way (pyhcl's own
    lexer, :func:`_validate`), so an error's message and place are pyhcl's exactly."""
    global _PARSER
    tokens = hclfastlex.tokens(text, _pristine_lexer())
    if tokens is None:
        return None
    if _PARSER is None:
        from linter.parse._hcl.hcltables import new_parser

        _PARSER = new_parser()
    try:
        _PARSER.yacc.parse(None, lexer=_Replay(tokens), debug=False)
    except Exception:
        return _validate(text, lines)
    return tokens


#: Items (``=``, ``{`` and ``,``: an upper bound on keys, blocks and list elements) an HCL
#: document may hold. pyhcl builds its object and list items by concatenation, so its time
#: is quadratic in a list's length (50,000 keys: 4.5 s; 300,000: minutes); YAML has its
#: node budget for the same reason. Real Consul files hold a few hundred.
MAX_HCL_ITEMS = 40_000


def _check_budget(text: str) -> None:
    """Refuse, before pyhcl sees it, a document over :data:`MAX_HCL_ITEMS` (a clear PL001
    in milliseconds rather than minutes in the parser, for files and editor buffers)."""
    items = text.count("=") + text.count("{") + text.count(",")
    if items > MAX_HCL_ITEMS:
        raise ParseError(
            f"document has more than {MAX_HCL_ITEMS} keys, blocks and list items ({items}); peerlint reads no further",
            limit=True,
        )


def parse_hcl(text: str) -> Node:
    """One HCL document as a Mapping. Raises ParseError for invalid input."""
    _check_budget(text)
    lines = _Lines(text)
    tokens = _validate_fast(text, lines)
    if tokens is None:
        tokens = _validate(text, lines)
    walker = _Walker(text, tokens, lines)
    root = walker.objectlist(None, 0)
    end_line, end_col = lines.pos(len(text))
    root.span = Span(1, 1, end_line, end_col)
    return finish(root)
