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
from functools import partial
from typing import Any

from linter.nodes import FAST_LAYOUT, Mapping, Node, Scalar, Sequence, Span, finish
from linter.parse.errors import MAX_DEPTH, ParseError

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


#: plain_scalar results by text (exact str, int, bool and None results only: a float
#: such as nan is never shared between two scalars); bounded, cleared when full.
_PLAIN: dict[str, Any] = {}
_PLAIN_MAX = 20_000
_CACHEABLE = (str, int, bool, type(None))


def _plain(text: str) -> Any:
    try:
        return _PLAIN[text]
    except KeyError:
        pass
    value = plain_scalar(text)
    if type(value) in _CACHEABLE and len(text) <= 64:
        if len(_PLAIN) >= _PLAIN_MAX:
            _PLAIN.clear()
        _PLAIN[text] = value
    return value


_new = object.__new__
#: A span from a 4-tuple, skipping the named tuple's Python-level constructor.
_span_of = partial(tuple.__new__, Span)

# What each event class is, by class name (as the loop always dispatched), computed
# once per class instead of once per event.
_SCALAR, _MAP, _SEQ, _END, _ALIAS, _DOC_END, _OTHER = range(7)
_KIND_BY_NAME = {
    "ScalarEvent": _SCALAR,
    "MappingStartEvent": _MAP,
    "SequenceStartEvent": _SEQ,
    "MappingEndEvent": _END,
    "SequenceEndEvent": _END,
    "AliasEvent": _ALIAS,
    "DocumentEndEvent": _DOC_END,
}
_KINDS: dict[type, int] = {}


def _has_ctag() -> bool:
    """Whether ruamel's ScalarEvent keeps its tag in ``ctag`` (``tag`` then being a
    property that is None exactly when ``ctag`` is None)."""
    try:
        from ruamel.yaml.events import ScalarEvent

        return (
            "ctag" in getattr(ScalarEvent, "__slots__", ()) and ScalarEvent(None, None, (True, False), "x").tag is None
        )
    except Exception:  # pragma: no cover - another ruamel layout
        return False


_HAS_CTAG = _has_ctag()


def _copy(node: Node, budget: list[int]) -> Node:
    """A deep copy of an anchored node for an alias, charged against the budget."""
    stack: list[tuple[Node, list, int]] = []
    out: list[Node] = []
    stack.append((node, out, -1))
    while stack:
        src, sink, slot = stack.pop()
        budget[0] -= 1
        if budget[0] < 0:
            raise ParseError(
                f"aliases expand to more than {MAX_NODES} nodes (a YAML alias bomb?)",
                src.span.line,
                src.span.col,
                limit=True,
            )
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


def _document(loader: Any) -> Node | None:
    """One document's events to nodes in one flat loop with an explicit stack.

    Each node gets its ``path`` and ``parent`` as it is attached, exactly what
    :func:`linter.nodes.finish` would set afterwards (an alias's copy is finished
    where it lands). Nodes and spans are built without their constructors when the
    layout allows (see :data:`linter.nodes.FAST_LAYOUT`)."""
    anchors: dict[str, Node] = {}
    budget = [MAX_NODES]
    stack: list[list] = []  # [open container, pending key or None]
    root: Node | None = None
    get_event = loader.get_event
    kinds = _KINDS
    fast = FAST_LAYOUT
    new = _new
    span_of = _span_of
    has_ctag = _HAS_CTAG
    node: Any
    while True:
        event = get_event()
        cls = event.__class__
        kind = kinds.get(cls)
        if kind is None:
            kind = kinds[cls] = _KIND_BY_NAME.get(cls.__name__, _OTHER)
        if kind == _END:
            container = stack.pop()[0]
            start = container.span
            mark = event.end_mark
            container.span = span_of((start[0], start[1], mark.line + 1, mark.column + 1))
            continue
        if kind == _SCALAR or kind == _MAP or kind == _SEQ:
            sm = event.start_mark
            em = event.end_mark
            span = span_of((sm.line + 1, sm.column + 1, em.line + 1, em.column + 1))
            if kind == _SCALAR:
                style = event.style
                # ``tag`` is a property (str() of ``ctag``); None exactly when ctag is
                if (
                    style
                    or (event.ctag is not None if has_ctag else event.tag)
                    and event.tag not in ("!", None, "")
                    or not event.implicit[0]
                ):
                    value = event.value
                    quoted = bool(style)
                else:
                    value = _plain(event.value)
                    quoted = False
                if fast:
                    node = new(Scalar)
                    node.value = value
                    node.quoted = quoted
                else:
                    node = Scalar(value, span, quoted)
            elif kind == _MAP:
                if fast:
                    node = new(Mapping)
                    node.entries = []
                    node._index = None
                else:
                    node = Mapping([], span)
            elif fast:
                node = new(Sequence)
                node.items = []
            else:
                node = Sequence([], span)
            if fast:
                node.span = span
                node.path = ()
                node.parent = None
            anchor = event.anchor
        elif kind == _ALIAS:
            target = anchors.get(event.anchor)
            if target is None:
                raise ParseError(
                    f"found undefined alias {event.anchor!r}", event.start_mark.line + 1, event.start_mark.column + 1
                )
            node = _copy(target, budget)
            anchor = None
        elif kind == _DOC_END:
            return root
        else:
            continue
        budget[0] -= 1
        if budget[0] < 0:
            raise ParseError(f"document has more than {MAX_NODES} nodes", node.span.line, node.span.col, limit=True)
        if anchor:
            anchors[anchor] = node
        if not stack:
            root = node
        else:
            top = stack[-1]
            container = top[0]
            if isinstance(container, Sequence):
                items = container.items
                node.path = container.path + (len(items),)
                node.parent = container
                items.append(node)
            elif top[1] is None:
                top[1] = node if isinstance(node, Scalar) else Scalar(str(node.plain()), node.span)
            else:
                key = top[1]
                key.path = node.path = container.path + (str(key.value),)
                key.parent = node.parent = container
                container.entries.append((key, node))
                top[1] = None
        if kind == _ALIAS:
            finish(node)  # the copy's own nodes, below where it landed
        elif kind != _SCALAR:
            stack.append([node, None])
            if len(stack) > MAX_DEPTH:
                raise ParseError(
                    f"nesting deeper than {MAX_DEPTH} levels; peerlint reads no further",
                    node.span.line,
                    node.span.col,
                    limit=True,
                )


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
                    docs.append(root)  # paths and parents are set as nodes are attached
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        message = " ".join(p for p in (err.context, err.problem) if p) or str(err)
        line, col = _inside_text(text, mark.line + 1 if mark else 1, mark.column + 1 if mark else 1)
        raise ParseError(message, line, col)
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


def _inside_text(text: str, line: int, col: int) -> tuple[int, int]:
    """An error position clamped into the text as peerlint counts lines (``\n``):
    YAML also breaks lines at a lone ``\r``, so its marks can point past the end."""
    lines = text.split("\n")
    if line > len(lines):
        return len(lines), len(lines[-1]) + 1
    return line, min(col, len(lines[line - 1]) + 1)
