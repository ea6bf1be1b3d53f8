"""YAML (and JSON, which is YAML) to nodes, from ruamel.yaml's C event parser.

Nodes are built from parser *events* in one flat loop rather than through a
composer: the C composer recurses and crashes the process on a few tens of thousands
of nested brackets, and construction is never needed. No tag can build a Python
object: tags only tell a quoted ``"true"`` from a boolean. Aliases are expanded
against a budget, so a billion-laughs document is a parse error, not an
out-of-memory; nesting beyond :data:`MAX_DEPTH` is a parse error, not a crash.
"""
from __future__ import annotations

import re
from typing import Any, Optional

from linter.nodes import Mapping, Node, Scalar, Sequence, Span, finish
from linter.parse import MAX_DEPTH, ParseError

MAX_NODES = 250_000

_INT = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")
_OCT = re.compile(r"^0o[0-7]+$")
_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$")
_BOOLS = {"true": True, "false": False}
_NULLS = {"", "~", "null"}
_SPECIAL_FLOATS = {".inf": float("inf"), "+.inf": float("inf"), "-.inf": float("-inf"), ".nan": float("nan")}

_LOADER: Any = None


def _loader_class() -> Any:
    try:
        from ruamel.yaml.cyaml import CSafeLoader

        CSafeLoader("").dispose()  # the C extension may be missing
        return CSafeLoader
    except Exception:  # pragma: no cover - pure-Python fallback
        from ruamel.yaml.loader import SafeLoader

        return SafeLoader


def plain_scalar(text: str) -> Any:
    """YAML 1.2 core-schema resolution of an unquoted scalar."""
    low = text.lower()
    if low in _BOOLS:
        return _BOOLS[low]
    if low in _NULLS:
        return None
    if _INT.match(text):
        try:
            return int(text.replace("_", ""))
        except ValueError:  # over Python's int-string limit: no decoder takes it as a number
            return text
    if _HEX.match(low):
        return int(low, 16)
    if _OCT.match(low):
        return int(low[2:], 8)
    if _FLOAT.match(text) and any(c.isdigit() for c in text):
        return float(text.replace("_", ""))
    return _SPECIAL_FLOATS.get(low, text)


def _span(start: Any, end: Any) -> Span:
    return Span(start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def _scalar(event: Any) -> Scalar:
    span = _span(event.start_mark, event.end_mark)
    if event.style or (event.tag and event.tag not in ("!", None)) or not event.implicit[0]:
        return Scalar(event.value, span, quoted=bool(event.style))
    return Scalar(plain_scalar(event.value), span)


def _copy(node: Node, budget: list[int]) -> Node:
    """A deep copy of an anchored node for an alias, charged against the budget."""
    stack: list[tuple[Node, list, int]] = []
    out: list[Node] = []
    stack.append((node, out, -1))
    while stack:
        src, sink, slot = stack.pop()
        budget[0] -= 1
        if budget[0] < 0:
            raise ParseError(f"aliases expand to more than {MAX_NODES} nodes (a YAML alias bomb?)", src.span.line, src.span.col, limit=True)
        if isinstance(src, Mapping):
            dst: Node = Mapping([], src.span)
            for key, value in src.entries:
                pair: list = [Scalar(key.value, key.span, key.quoted), None]
                dst.entries.append(pair)  # type: ignore[arg-type]
                stack.append((value, pair, 1))
        elif isinstance(src, Sequence):
            dst = Sequence([None] * len(src.items), src.span)  # type: ignore[list-item]
            for i, item in enumerate(src.items):
                stack.append((item, dst.items, i))
        else:
            dst = Scalar(src.value, src.span, src.quoted)  # type: ignore[attr-defined]
        if slot < 0:
            sink.append(dst)
        else:
            sink[slot] = dst
    _tuple_pairs(out[0])
    return out[0]


def _tuple_pairs(root: Node) -> None:
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, Mapping):
            node.entries = [tuple(p) for p in node.entries]  # type: ignore[misc]
            stack.extend(v for _k, v in node.entries)
        elif isinstance(node, Sequence):
            stack.extend(node.items)


class _Builder:
    """Turns one document's events into nodes with an explicit stack."""

    def __init__(self) -> None:
        self.anchors: dict[str, Node] = {}
        self.budget = [MAX_NODES]
        self.stack: list[tuple[Node, Any, Optional[Scalar]]] = []  # (container, anchor, pending key)
        self.root: Optional[Node] = None

    def add(self, node: Node, anchor: Optional[str]) -> None:
        self.budget[0] -= 1
        if self.budget[0] < 0:
            raise ParseError(f"document has more than {MAX_NODES} nodes", node.span.line, node.span.col, limit=True)
        if anchor:
            self.anchors[anchor] = node
        if not self.stack:
            self.root = node
            return
        container, cont_anchor, pending = self.stack[-1]
        if isinstance(container, Sequence):
            container.items.append(node)
        elif pending is None:
            key = node if isinstance(node, Scalar) else Scalar(str(node.plain()), node.span)
            self.stack[-1] = (container, cont_anchor, key)
        else:
            container.entries.append((pending, node))
            self.stack[-1] = (container, cont_anchor, None)

    def open(self, node: Node, anchor: Optional[str]) -> None:
        self.add(node, anchor)
        self.stack.append((node, anchor, None))
        if len(self.stack) > MAX_DEPTH:
            raise ParseError(f"nesting deeper than {MAX_DEPTH} levels; peerlint reads no further", node.span.line, node.span.col, limit=True)

    def close(self, event: Any) -> None:
        container, _anchor, _pending = self.stack.pop()
        start = container.span
        container.span = Span(start.line, start.col, event.end_mark.line + 1, event.end_mark.column + 1)


def _document(loader: Any) -> Optional[Node]:
    builder = _Builder()
    while True:
        event = loader.get_event()
        name = type(event).__name__
        if name == "ScalarEvent":
            builder.add(_scalar(event), event.anchor)
        elif name == "MappingStartEvent":
            builder.open(Mapping([], _span(event.start_mark, event.end_mark)), event.anchor)
        elif name == "SequenceStartEvent":
            builder.open(Sequence([], _span(event.start_mark, event.end_mark)), event.anchor)
        elif name in ("MappingEndEvent", "SequenceEndEvent"):
            builder.close(event)
        elif name == "AliasEvent":
            target = builder.anchors.get(event.anchor)
            if target is None:
                raise ParseError(f"found undefined alias {event.anchor!r}", event.start_mark.line + 1, event.start_mark.column + 1)
            builder.add(_copy(target, builder.budget), None)
        elif name == "DocumentEndEvent":
            return builder.root


def parse_yaml(text: str) -> list[Node]:
    """All documents in ``text``; empty documents are skipped."""
    global _LOADER
    if _LOADER is None:
        _LOADER = _loader_class()
    from ruamel.yaml.error import MarkedYAMLError

    loader = _LOADER(text)
    docs: list[Node] = []
    try:
        while True:
            event = loader.get_event()
            name = type(event).__name__
            if name == "StreamEndEvent":
                break
            if name == "DocumentStartEvent":
                root = _document(loader)
                if root is not None and not (isinstance(root, Scalar) and root.value is None):
                    docs.append(finish(root))
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        message = " ".join(p for p in (err.context, err.problem) if p) or str(err)
        raise ParseError(message, mark.line + 1 if mark else 1, mark.column + 1 if mark else 1)
    except ParseError:
        raise
    except Exception as err:  # the C reader raises plain errors for bad bytes
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise ParseError(first)
    finally:
        try:
            loader.dispose()
        except Exception:
            pass
    return docs
