"""YAML (and JSON, which is YAML) to nodes, through ruamel.yaml's C composer.

Composing stops before construction, so no tag can build a Python object: tags are
only used to tell a quoted ``"true"`` from a boolean. Aliases are expanded with a
budget, so a billion-laughs document is a parse error rather than an out-of-memory.
"""
from __future__ import annotations

import re
from typing import Any

from linter.nodes import Mapping, Node, Scalar, Sequence, Span, finish
from linter.parse import ParseError

MAX_NODES = 2_000_000

_INT = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")
_OCT = re.compile(r"^0o[0-7]+$")
_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$")
_BOOLS = {"true": True, "false": False}
_NULLS = {"", "~", "null"}


def _loader_class() -> Any:
    try:
        from ruamel.yaml.cyaml import CSafeLoader

        CSafeLoader("")  # the C extension may be missing
        return CSafeLoader
    except Exception:  # pragma: no cover - pure-Python fallback
        from ruamel.yaml.loader import SafeLoader

        return SafeLoader


_LOADER: Any = None


def _span(node: Any) -> Span:
    start, end = node.start_mark, node.end_mark
    return Span(start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def plain_scalar(text: str) -> Any:
    """YAML 1.2 core-schema resolution of an unquoted scalar."""
    low = text.lower()
    if low in _BOOLS:
        return _BOOLS[low]
    if low in _NULLS:
        return None
    if _INT.match(text):
        return int(text.replace("_", ""))
    if _HEX.match(low):
        return int(low, 16)
    if _OCT.match(low):
        return int(low[2:], 8)
    if _FLOAT.match(text) and any(c.isdigit() for c in text):
        try:
            return float(text.replace("_", ""))
        except ValueError:
            return text
    if low in (".inf", "+.inf"):
        return float("inf")
    if low == "-.inf":
        return float("-inf")
    if low == ".nan":
        return float("nan")
    return text


class _Converter:
    def __init__(self) -> None:
        self.budget = MAX_NODES

    def convert(self, root: Any) -> Node:
        """Iterative conversion (deep documents must not hit the recursion limit)."""
        result: dict[int, Node] = {}
        # Each frame: (yaml node, placeholder list to fill, done flag)
        out_root: list[Node] = []
        stack: list[tuple[Any, list, int]] = [(root, out_root, -1)]
        pending: list[tuple[Any, Node]] = []
        while stack:
            ynode, sink, slot = stack.pop()
            self.budget -= 1
            if self.budget < 0:
                raise ParseError(
                    "document expands to more than %d nodes (YAML alias bomb?)" % MAX_NODES,
                    ynode.start_mark.line + 1,
                    ynode.start_mark.column + 1,
                )
            node = self._shell(ynode)
            if slot < 0:
                sink.append(node)
            else:
                sink[slot] = node
            if isinstance(node, Mapping):
                node.entries = [None] * len(ynode.value)  # type: ignore[list-item]
                for i, (k, v) in enumerate(ynode.value):
                    pair: list = [None, None]
                    node.entries[i] = pair  # type: ignore[call-overload]
                    stack.append((v, pair, 1))
                    stack.append((k, pair, 0))
                pending.append((ynode, node))
            elif isinstance(node, Sequence):
                node.items = [None] * len(ynode.value)  # type: ignore[list-item]
                for i, v in enumerate(ynode.value):
                    stack.append((v, node.items, i))
        for _ynode, mapping in pending:
            fixed = []
            for key, value in mapping.entries:  # type: ignore[misc]
                if not isinstance(key, Scalar):
                    key = Scalar(str(key.plain()), key.span)
                fixed.append((key, value))
            mapping.entries = fixed
        del result
        return out_root[0]

    def _shell(self, ynode: Any) -> Node:
        kind = ynode.id
        span = _span(ynode)
        if kind == "scalar":
            quoted = ynode.style not in (None, "")
            text = ynode.value
            if quoted or ynode.tag.endswith(":str"):
                if not quoted and ynode.tag == "tag:yaml.org,2002:str" and ynode.style is None:
                    # plain scalar resolved to str by the loader: keep as text
                    return Scalar(text, span, quoted=False)
                return Scalar(text, span, quoted=True)
            return Scalar(plain_scalar(text), span)
        if kind == "mapping":
            return Mapping([], span)
        return Sequence([], span)


def parse_yaml(text: str) -> list[Node]:
    """All documents in ``text``; empty documents are skipped."""
    global _LOADER
    if _LOADER is None:
        _LOADER = _loader_class()
    from ruamel.yaml.error import MarkedYAMLError

    loader = _LOADER(text)
    docs: list[Node] = []
    try:
        while loader.check_node():
            ynode = loader.get_node()
            if ynode is None:
                continue
            docs.append(finish(_Converter().convert(ynode)))
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        message = " ".join(p for p in (err.context, err.problem) if p) or str(err)
        raise ParseError(message, mark.line + 1 if mark else 1, mark.column + 1 if mark else 1)
    except Exception as err:  # the C reader raises plain errors for bad bytes
        raise ParseError(str(err).splitlines()[0] if str(err) else type(err).__name__)
    finally:
        try:
            loader.dispose()
        except Exception:
            pass
    return docs
