"""JSON to nodes.

``json.loads`` is the judge of validity (its errors carry exact line and column); the
positions come from composing the same text with the YAML C composer, JSON being YAML.
Where the two disagree on some exotic but valid JSON, the values from ``json`` are
kept and positions fall back to the enclosing document.
"""

from __future__ import annotations

import json
from typing import Any

from linter.nodes import Mapping, Node, Scalar, Sequence, Span, finish
from linter.parse.errors import ParseError


def _strict_check(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise ParseError(f"invalid JSON: {err.msg}", err.lineno, err.colno)
    except RecursionError:
        raise ParseError("JSON nesting is too deep to read")
    except ValueError as err:  # e.g. integer string too long to convert
        raise ParseError(f"invalid JSON: {err}")


def _from_plain(value: Any, span: Span) -> Node:
    """Nodes for a plain value, every one at ``span`` (the positionless fallback)."""
    if isinstance(value, dict):
        return Mapping([(Scalar(k, span, True), _from_plain(v, span)) for k, v in value.items()], span)
    if isinstance(value, list):
        return Sequence([_from_plain(v, span) for v in value], span)
    return Scalar(value, span, isinstance(value, str))


def parse_json(text: str) -> Node:
    value = _strict_check(text)
    try:
        from linter.parse.yamlparse import parse_yaml

        docs = parse_yaml(text)
        if len(docs) == 1 and docs[0].plain() == value:
            return docs[0]
    except ParseError as err:
        if err.limit:
            raise
    except RecursionError:
        raise ParseError("JSON nesting is too deep to read", limit=True)
    lines = text.splitlines() or [""]
    return finish(_from_plain(value, Span(1, 1, len(lines), len(lines[-1]) + 1)))
