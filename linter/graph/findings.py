"""Findings on graph items, wherever they live: a node in a document, or a line of the
project config (``[[peerings]]``, ``consul-version``), which TOML gives no nodes for.

Graph rules use :func:`finding_at` so a peering declared by a CR and one declared in
``peerlint.toml`` are reported alike, with ``related`` locations for the other end.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Optional, Union

from linter.api import Finding, Location
from linter.nodes import format_path

if TYPE_CHECKING:
    from linter.api import Rule

#: A place: a graph item with doc/node or config_path/config_span, or (doc, node, note).
Place = Any


def location(item: Place, note: str = "") -> Optional[Location]:
    """A Location for a graph item (or a ``(doc, node, note)`` tuple)."""
    if isinstance(item, tuple):
        doc, node, own = item
        note = note or own
    else:
        doc, node = getattr(item, "doc", None), getattr(item, "node", None)
    if doc is not None:
        target = node if node is not None else doc.root
        return Location(doc.path, target.span, note, format_path(target.path))
    path, span = getattr(item, "config_path", ""), getattr(item, "config_span", None)
    if path and span is not None:
        return Location(path, span, note)
    return None


def finding_at(rule: "Rule", item: Place, message: str, related: Iterable[Union[tuple, tuple[Place, str]]] = (), fix: str = "", node_path: str = "") -> Optional[Finding]:
    """A finding of ``rule`` at ``item``; ``related`` holds ``(doc, node, note)`` tuples or
    ``(item, note)`` pairs; ``node_path`` names a config-file item stably (line numbers
    change). None when the item has no location (never a guess)."""
    locations = []
    for entry in related:
        loc = location(entry) if len(entry) == 3 else location(entry[0], entry[1])
        if loc is not None:
            locations.append(loc)
    doc, node = (item[0], item[1]) if isinstance(item, tuple) else (getattr(item, "doc", None), getattr(item, "node", None))
    if doc is not None:
        found = rule.finding(doc, node, message, fix=fix)
        found.related = locations
        return found
    loc = location(item)
    if loc is None:
        return None
    found = rule.file_finding(loc.path, loc.span, message, fix=fix, node_path=node_path or f"line {loc.span.line}")
    found.related = locations
    return found
