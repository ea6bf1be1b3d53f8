"""Part of the picture (``peerlint graph --cluster/--peer/--focus``): a big project's
graph is more than Mermaid draws (500 edges, 50,000 characters: GitHub shows an error
instead), and more than a person reads. Each filter keeps what it names, the edges that
touch it and their other ends, and the context that makes them readable: the
partitions and clusters they sit in, their mesh gateways.

The filters work on the networkx graph of :func:`linter.report.graph.to_networkx`
(node ids ``cluster:C``, ``partition:C/P``, ``gateway:C/P/i``, ``service:C/P/S``, and
``peer:C/P/NAME`` or ``sameness:C/NAME`` for what is not in the repository) and return
a smaller one in the same order, which every renderer draws as it draws the whole.
Given together they apply one after another: ``--cluster east --peer west`` is east's
peering named west.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

#: Mermaid's defaults (``maxEdges``, ``maxTextSize``): above them it draws an error.
#: https://mermaid.js.org/config/schema-docs/config-properties-maxedges.html
MERMAID_MAX_EDGES = 500
MERMAID_MAX_TEXT = 50_000

Edge = tuple[str, str, int]
#: An edge line of :func:`linter.report.graph.to_mermaid` (node lines never hold one).
_EDGE = re.compile(r"^  n\d+ (---|==>|-\.->)")


def restrict(g: Any, clusters: Iterable[str] = (), peers: Iterable[str] = (), services: Iterable[str] = ()) -> Any:
    """``g`` cut to the named clusters, then peerings, then services (each filter
    given). :class:`NotInPicture` names what is not in the graph and what is."""
    for names, keep in ((clusters, _clusters), (peers, _peers), (services, _services)):
        names = set(names)
        if names:
            g = _subgraph(g, *keep(g, names))
    return g


def _place(g: Any, node: str) -> str:
    """The partition a gateway or service sits in; a partition or an outside peer is
    its own place."""
    if g.nodes[node].get("type") in ("gateway", "service"):
        for _u, v, data in g.out_edges(node, data=True):
            if data.get("type") == "in":
                return v
    return node


def _cluster_of(g: Any, node: str) -> str | None:
    place = g.nodes[_place(g, node)]
    return place.get("cluster") if place.get("type") == "partition" else None


class NotInPicture(ValueError):
    """A filter names a cluster, peer or service the picture does not hold."""


def _unknown(what: str, missing: set[str], known: Iterable[str]) -> NotInPicture:
    listed = sorted(set(known))
    return NotInPicture(
        f"no {what} named {', '.join(sorted(missing))} in the picture"
        + (f" (there: {', '.join(listed[:20])}{', ...' if len(listed) > 20 else ''})" if listed else "")
    )


def _touching(g: Any, nodes: set[str]) -> set[Edge]:
    return {
        (u, v, k)
        for u, v, k, data in g.edges(keys=True, data=True)
        if data.get("type") != "in" and (u in nodes or v in nodes)
    }


def _clusters(g: Any, names: set[str]) -> tuple[set[str], set[Edge]]:
    """Everything in the clusters, and every edge leaving them with its other end."""
    missing = names - {n.split(":", 1)[1] for n, d in g.nodes(data=True) if d.get("type") == "cluster"}
    if missing:
        raise _unknown("cluster", missing, (d["label"] for _n, d in g.nodes(data=True) if d.get("type") == "cluster"))
    inside = {n for n in g if n.startswith(("partition:", "gateway:", "service:")) and _cluster_of(g, n) in names}
    return inside, _touching(g, inside)


def _peers(g: Any, names: set[str]) -> tuple[set[str], set[Edge]]:
    """The peerings named (from either side, as both sides call it), and the exports,
    intentions and upstreams that cross them."""
    named = [
        (u, v)
        for u, v, d in g.edges(data=True)
        if (d.get("type") == "peering" and d.get("peer_name") in names)
        or (g.nodes[v].get("type") == "external" and v.startswith("peer:") and g.nodes[v].get("label") in names)
        or (g.nodes[u].get("type") == "external" and u.startswith("peer:") and g.nodes[u].get("label") in names)
    ]
    known = {d.get("peer_name") for _u, _v, d in g.edges(data=True) if d.get("type") == "peering"} | {
        d.get("label") for n, d in g.nodes(data=True) if n.startswith("peer:")
    }
    missing = names - known
    if missing or not named:
        raise _unknown("peer", missing or names, (str(name) for name in known if name))
    pairs = {frozenset((_place(g, u), _place(g, v))) for u, v in named}
    edges = {
        (u, v, k)
        for u, v, k, d in g.edges(keys=True, data=True)
        if d.get("type") != "in" and frozenset((_place(g, u), _place(g, v))) in pairs
    }
    return _with_gateways(g, {n for e in edges for n in e[:2]}), edges


def _services(g: Any, names: set[str]) -> tuple[set[str], set[Edge]]:
    """The services named, every edge to or from them (exports, intentions, upstreams
    both ways) with its other end, and the peerings between the partitions involved."""
    seeds = {n for n in g if n.startswith("service:") and n.rsplit("/", 1)[1] in names}
    missing = names - {n.rsplit("/", 1)[1] for n in seeds}
    if missing:
        raise _unknown("service", missing, (n.rsplit("/", 1)[1] for n in g if n.startswith("service:")))
    edges = _touching(g, seeds)
    places = {_place(g, n) for e in edges for n in e[:2]} | {_place(g, n) for n in seeds}
    edges |= {
        (u, v, k)
        for u, v, k, d in g.edges(keys=True, data=True)
        if d.get("type") == "peering" and u in places and v in places
    }
    return _with_gateways(g, seeds | {n for e in edges for n in e[:2]}), edges


def _with_gateways(g: Any, nodes: set[str]) -> set[str]:
    """``nodes`` and the mesh gateways of their partitions (what peered traffic crosses)."""
    places = {_place(g, n) for n in nodes}
    return nodes | {n for n in g if n.startswith("gateway:") and _place(g, n) in places}


def _subgraph(g: Any, nodes: set[str], edges: set[Edge]) -> Any:
    """A new graph of ``nodes``, the ends of ``edges``, the partitions and clusters they
    sit in (``in`` edges), and ``edges``, in ``g``'s order (pictures stay stable)."""
    import networkx as nx

    keep = set(nodes) | {n for e in edges for n in e[:2]}
    frontier = list(keep)
    while frontier:
        node = frontier.pop()
        for _u, v, d in g.out_edges(node, data=True):
            if d.get("type") == "in" and v not in keep:
                keep.add(v)
                frontier.append(v)
    out = nx.MultiDiGraph()
    out.add_nodes_from((n, d) for n, d in g.nodes(data=True) if n in keep)
    for u, v, k, d in g.edges(keys=True, data=True):
        if (u, v, k) in edges or (d.get("type") == "in" and u in keep and v in keep):
            out.add_edge(u, v, key=k, **d)
    return out


def too_big_for_mermaid(text: str) -> str | None:
    """Why Mermaid will refuse ``text`` (a flowchart from :func:`to_mermaid`), or None."""
    edges = sum(1 for line in text.splitlines() if _EDGE.match(line))
    if edges > MERMAID_MAX_EDGES:
        return f"{edges:,} edges (Mermaid draws at most {MERMAID_MAX_EDGES})"
    if len(text) > MERMAID_MAX_TEXT:
        return f"{len(text):,} characters (Mermaid draws at most {MERMAID_MAX_TEXT:,})"
    return None
