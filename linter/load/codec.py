"""Parse results as compact bytes, and back: how a result crosses a process boundary
(linter.load.parallel) and how it is stored (linter.load.cache).

Why not pickle: node trees do not cross a process boundary for free; pickling them
(every node with its span, path and parent) costs more than half of parsing them. So a
result travels as :func:`encode` bytes: nested tuples of plain values (no paths, no
parents) through ``marshal``, ~10x cheaper to make than a pickle; :func:`decode`
rebuilds the nodes for about a quarter of the cost of parsing, and the same bytes go
into the parse cache unchanged. Speed trick (keep it): :func:`_dec` fills nodes'
slots directly when the node layout allows it (``linter.nodes.FAST_LAYOUT``).
"""

from __future__ import annotations

import marshal
from typing import Any

from linter.load.source import SourceText
from linter.nodes import FAST_LAYOUT, Mapping, Node, Scalar, Sequence, make_span
from linter.parse import Parsed, ParseError, parse_text


def _enc(node: Node) -> tuple:
    s = node.span
    if isinstance(node, Scalar):
        return (0, node.value, node.quoted, s.line, s.col, s.end_line, s.end_col)
    if isinstance(node, Sequence):
        return (1, s.line, s.col, s.end_line, s.end_col, [_enc(item) for item in node.items])
    flat: list = []
    for key, value in node.entries:  # type: ignore[attr-defined]
        flat.append(_enc(key))
        flat.append(_enc(value))
    return (2, s.line, s.col, s.end_line, s.end_col, flat)


def encode(parsed: Parsed) -> bytes | None:
    """A parse result as bytes, or None when it cannot be (a tree too deep to walk
    recursively, an exotic value): such a file is parsed again where it is needed."""
    try:
        error = (parsed.error.message, parsed.error.line, parsed.error.col) if parsed.error is not None else None
        return marshal.dumps((parsed.syntax, [_enc(doc) for doc in parsed.documents], error))
    except (RecursionError, ValueError, TypeError, AttributeError):
        return None


_new = object.__new__


_span = make_span


def _dec(e: tuple, path: tuple, parent: Node | None) -> Node:
    """Nodes from :func:`_enc` tuples, with ``path`` and ``parent`` set exactly as
    :func:`linter.nodes.finish` sets them."""
    node: Any
    tag = e[0]
    if tag == 0:
        if FAST_LAYOUT:
            node = _new(Scalar)
            node.value = e[1]
            node.quoted = e[2]
            node.span = _span(e[3], e[4], e[5], e[6])
        else:
            node = Scalar(e[1], _span(e[3], e[4], e[5], e[6]), e[2])
    elif tag == 1:
        node = _new(Sequence) if FAST_LAYOUT else Sequence([], _span(e[1], e[2], e[3], e[4]))
        node.span = _span(e[1], e[2], e[3], e[4])
        items = e[5]
        node.items = [_dec(items[i], path + (i,), node) for i in range(len(items))]
    else:
        node = _new(Mapping) if FAST_LAYOUT else Mapping([], _span(e[1], e[2], e[3], e[4]))
        node.span = _span(e[1], e[2], e[3], e[4])
        node._index = None
        flat = e[5]
        entries = []
        for i in range(0, len(flat), 2):
            key_path = path + (str(flat[i][1]),)
            entries.append((_dec(flat[i], key_path, node), _dec(flat[i + 1], key_path, node)))
        node.entries = entries
    node.path = path
    node.parent = parent
    return node


def decode(blob: bytes) -> Parsed:
    syntax, docs, error = marshal.loads(blob)
    parsed = Parsed(syntax, [_dec(doc, (), None) for doc in docs])
    if error is not None:
        parsed.error = ParseError(*error)
    return parsed


class Deferred:
    """A cached parse result not decoded yet (see :func:`resolve`)."""

    __slots__ = ("blob",)

    def __init__(self, blob: bytes) -> None:
        self.blob = blob


def resolve(path: str, source: SourceText, parsed: Any) -> Parsed | None:
    """A parse result, decoding a :class:`Deferred` one (parsing again if it cannot be)."""
    if not isinstance(parsed, Deferred):
        return parsed
    try:
        return decode(parsed.blob)
    except Exception:  # a stale or damaged entry
        return parse_text(path, source.text)  # type: ignore[arg-type]
