"""Agent configuration facts for the WAN federation rules (PL701, PL702).

Why a module: Consul agents usually read a directory of files (``-config-dir``) and the
builder judges their merge, so a setting missing from one file may come from a sibling.
These helpers answer "does any agent file in this directory set X" and otherwise stay
undecided, so the rules only speak when the files say enough (consul-semantics §4).
"""

from __future__ import annotations

import os
from typing import Any, Iterable

from linter.model.document import AGENT_CONFIG, Document
from linter.nodes import Mapping, Node, Scalar, Sequence


def agents(project: Any) -> list[Document]:
    """Top-level agent configurations (not embedded documents)."""
    return [d for d in project.of(AGENT_CONFIG) if d.parent is None]


def get(doc: Document, *path: str) -> Node | None:
    """The node at a spelling-blind path (``connect``, ``enabled``); HCL blocks written
    once or as a list are read as one block."""
    node: Node | None = doc.root
    for name in path:
        if isinstance(node, Sequence) and len(node.items) == 1:
            node = node.items[0]
        if not isinstance(node, Mapping):
            return None
        node = node.get(name)
    if isinstance(node, Sequence) and len(node.items) == 1 and isinstance(node.items[0], Mapping):
        return node.items[0]
    return node


def value(doc: Document, *path: str) -> Any:
    node = get(doc, *path)
    return node.value if isinstance(node, Scalar) else None


def boolean(doc: Document, *path: str) -> bool | None:
    """A boolean setting; Consul's weak decoding also reads "true"/"false" strings."""
    raw = value(doc, *path)
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    return None


def non_empty_list(doc: Document, *path: str) -> Node | None:
    node = get(doc, *path)
    if isinstance(node, Sequence) and node.items:
        return node
    if isinstance(node, Scalar) and isinstance(node.value, str) and node.value:
        return node
    return None


def _folder(doc: Document) -> str:
    return os.path.dirname(os.path.abspath(doc.path))


def folders(docs: Iterable[Document]) -> dict[str, list[Document]]:
    """Agent files grouped by directory (one ``-config-dir`` each), in order; computed
    once and handed to :func:`siblings`."""
    grouped: dict[str, list[Document]] = {}
    for d in docs:
        grouped.setdefault(_folder(d), []).append(d)
    return grouped


def siblings(doc: Document, grouped: dict[str, list[Document]]) -> list[Document]:
    """Agent files in the same directory as ``doc`` (from :func:`folders`), ``doc`` first."""
    return [doc] + [d for d in grouped.get(_folder(doc), ()) if d is not doc]


def first_boolean(docs: Iterable[Document], *path: str) -> bool | None:
    """The first boolean any of ``docs`` sets at ``path`` (see :func:`boolean`), or None."""
    for d in docs:
        flag = boolean(d, *path)
        if flag is not None:
            return flag
    return None


def first_set(docs: Iterable[Document], *path: str) -> Document | None:
    for d in docs:
        if get(d, *path) is not None:
            return d
    return None


def mesh_gateway_federation(doc: Document) -> Node | None:
    """The ``enable_mesh_gateway_wan_federation = true`` value node, if set."""
    if boolean(doc, "connect", "enable_mesh_gateway_wan_federation") is True:
        return get(doc, "connect", "enable_mesh_gateway_wan_federation")
    return None


def datacenter(doc: Document) -> str | None:
    raw = value(doc, "datacenter")
    return raw.lower() if isinstance(raw, str) else None


def primary_datacenter(doc: Document) -> str | None:
    raw = value(doc, "primary_datacenter")
    return raw.lower() if isinstance(raw, str) and raw else None
