"""Whether a go-bexpr filter (a service-resolver subset ``Filter``) parses, as
``bexpr.CreateEvaluator(filter, nil)`` decides it: ``Selector == value``,
``Selector != value``, ``Selector [not] contains|matches value``,
``Selector is [not] empty``, ``value [not] in Selector``, combined with ``and``,
``or``, ``not`` and parentheses.

Precision first: values are read loosely (any bare word, quoted or raw string) and a
filter with an index expression (``Meta["k"]``) is not judged, so a filter is only
called invalid when its shape cannot be a bexpr expression at all (``random string``:
a selector with no operator).
"""

from __future__ import annotations

import re

__all__ = ["filter_error", "filter_selectors"]

_TOKEN = re.compile(r'\s+|(==|!=|\(|\)|"(?:[^"\\]|\\.)*"|`[^`]*`|[^\s()"`=!]+)|(.)', re.S)
_SELECTOR = re.compile(r"[A-Za-z_][A-Za-z0-9_/-]*(\.[A-Za-z0-9_/-]+)*$")
_KEYWORDS = {"and", "or", "not", "in", "contains", "matches", "is", "empty"}


class _Invalid(Exception):
    pass


def filter_error(expression: str) -> str | None:
    """Why ``expression`` is not a bexpr expression, or None when it parses (or when
    it uses syntax this reader does not judge)."""
    if "[" in expression or "]" in expression:
        return None
    tokens: list[str] = []
    for match in _TOKEN.finditer(expression):
        if match.group(2) is not None:
            return f"unexpected character {match.group(2)!r}"
        if match.group(1):
            tokens.append(match.group(1))
    if not tokens:
        return "empty expression"
    parser = _Parser(tokens)
    try:
        parser.or_expr()
        if parser.pos != len(tokens):
            raise _Invalid(f"unexpected {tokens[parser.pos]!r}")
    except _Invalid as error:
        return str(error)
    return None


def filter_selectors(expression: str) -> list[str] | None:
    """The selectors of a bexpr expression that parses (``value.node`` in
    ``value.node == x``), for checks that know the fields it is evaluated against; None
    when it does not parse or uses syntax this reader does not judge."""
    if filter_error(expression) is not None or "[" in expression or "]" in expression:
        return None
    tokens = [m.group(1) for m in _TOKEN.finditer(expression) if m.group(1)]
    parser = _Parser(tokens)
    parser.or_expr()
    return parser.selectors


class _Parser:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens, self.pos = tokens, 0
        self.selectors: list[str] = []

    def peek(self, offset: int = 0) -> str | None:
        index = self.pos + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self, *words: str) -> bool:
        if all(self.peek(i) == w for i, w in enumerate(words)):
            self.pos += len(words)
            return True
        return False

    def next(self, what: str) -> str:
        token = self.peek()
        if token is None:
            raise _Invalid(f"expected {what}, found the end of the expression")
        self.pos += 1
        return token

    def or_expr(self) -> None:
        self.and_expr()
        while self.take("or"):
            self.and_expr()

    def and_expr(self) -> None:
        self.not_expr()
        while self.take("and"):
            self.not_expr()

    def not_expr(self) -> None:
        if self.take("not"):
            self.not_expr()
        elif self.take("("):
            self.or_expr()
            if not self.take(")"):
                raise _Invalid("unmatched parentheses")
        else:
            self.match()

    def match(self) -> None:
        first = self.next("a selector or a value")
        if first in ("(", ")", "==", "!=") or first in _KEYWORDS:
            raise _Invalid(f"unexpected {first!r}")
        if self.take("in") or self.take("not", "in"):
            self.selector(self.next("a selector"))
            return
        self.selector(first)
        if self.take("==") or self.take("!=") or self.take("contains") or self.take("matches"):
            self.value()
        elif self.take("not", "contains") or self.take("not", "matches"):
            self.value()
        elif self.take("is", "empty") or self.take("is", "not", "empty"):
            return
        else:
            found = self.peek()
            raise _Invalid(f"expected an operator after {first!r}" + (f", found {found!r}" if found else ""))

    def selector(self, token: str) -> None:
        if token in _KEYWORDS or not _SELECTOR.match(token):
            raise _Invalid(f"invalid selector {token!r}")
        self.selectors.append(token)

    def value(self) -> None:
        token = self.next("a value")
        if token in ("(", ")", "==", "!=") or token in _KEYWORDS:
            raise _Invalid(f"expected a value, found {token!r}")
