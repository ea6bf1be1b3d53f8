"""The picture: the topology as a networkx graph, and as Mermaid, DOT, JSON or a rich
tree (``peerlint graph``). Findings are marked on the nodes and edges they concern: a
finding concerns an element when it points into the element's document at or inside
the element's node.

A reporter (``linter.report``): it reads a finished Topology and findings and returns
text. Reporters import only ``linter.api`` and ``linter.report``.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from linter.api import Finding, Topology
from linter.api.acl import mask_secrets


def _pid(cluster: str, partition: str) -> str:
    return f"partition:{cluster}/{partition}"


def _where(doc, node) -> tuple[str, int, int]:
    span = (node if node is not None else doc.root).span
    return doc.path, span.line, span.end_line


def networkx_of(topo: Topology) -> Any:
    """``topo.nx``, built on first use: only pictures need networkx, and importing it
    (~0.2 s) is a cost a ``check`` run must not pay."""
    if topo.nx is None:
        topo.nx = to_networkx(topo)
    return topo.nx


def to_networkx(topo: Topology) -> Any:
    """A MultiDiGraph: cluster, partition, gateway and service nodes; ``in`` edges from
    a partition to its cluster and from a gateway/service to its partition;
    ``peering`` edges (``peer_name``, ``role``) between partitions; ``export`` edges from
    a service to the consuming partition or peer; ``intention`` and ``upstream`` edges."""
    import networkx as nx

    g = nx.MultiDiGraph()
    for cluster in topo.clusters():
        g.add_node(f"cluster:{cluster}", type="cluster", label=cluster, datacenter=topo.datacenter(cluster))
        for part in topo.partitions(cluster):
            pid = _pid(cluster, part)
            modes = [m for m in topo.mode_settings(cluster) if m.partition == part]
            defaults = [m for m in modes if m.level == "proxy-defaults"]
            g.add_node(
                pid,
                type="partition",
                label=part + "".join(f" (gateway mode {m.mode})" for m in defaults[-1:]),
                cluster=cluster,
                where=[_where(m.doc, m.node) for m in defaults],
            )
            g.add_edge(pid, f"cluster:{cluster}", type="in")
            for i, gw in enumerate(topo.gateways(cluster, part)):
                gid = f"gateway:{cluster}/{part}/{i}"
                g.add_node(gid, type="gateway", label=gw.name, source=gw.source, where=[_where(gw.doc, gw.node)])
                g.add_edge(gid, pid, type="in")
            for svc in topo.services(cluster, part):
                if svc.kind == "mesh-gateway":
                    continue  # drawn as its gateway
                sid = f"service:{cluster}/{part}/{svc.name}"
                own = [m for m in modes if m.service == svc.name and m.level in ("service-defaults", "proxy")]
                g.add_node(
                    sid,
                    type="service",
                    label=svc.name + "".join(f" (gateway mode {m.mode})" for m in own[-1:]),
                    where=[_where(d.doc, d.node) for d in topo.service(cluster, part, svc.name)]
                    + [_where(m.doc, m.node) for m in own],
                )
                g.add_edge(sid, pid, type="in")
            for exp in topo.exports(cluster, part):
                sid = f"service:{cluster}/{part}/{exp.service}"
                if exp.consumer_kind == "peer":
                    target = _peer_node(g, topo, cluster, part, exp.consumer)
                elif exp.consumer_kind == "partition":
                    target = _pid(cluster, exp.consumer)
                else:
                    target = f"sameness:{cluster}/{exp.consumer}"
                if target not in g:
                    g.add_node(target, type="external", label=exp.consumer, where=[])
                g.add_edge(
                    sid, target, type="export", label=f"export to {exp.consumer}", where=[_where(exp.doc, exp.node)]
                )
            for item in topo.intentions(cluster, part):
                if item.peer:
                    dest = f"service:{cluster}/{part}/{item.destination}"
                    if dest not in g:  # "*" or a destination only an intention names
                        g.add_node(dest, type="service", label=item.destination or "?", where=[])
                        g.add_edge(dest, pid, type="in")
                    g.add_edge(
                        _peer_node(g, topo, cluster, part, item.peer),
                        dest,
                        type="intention",
                        label=f"{item.source} ({'allow' if item.allows else 'deny'})",
                        where=[_where(item.doc, item.node)],
                    )
    for up in topo.upstreams():
        src = f"service:{up.cluster}/{up.partition}/{up.service}"
        if src not in g or not up.destination_peer:
            continue  # local upstreams are not part of the peering picture
        peer = topo.resolve_peer(up.cluster, up.partition, up.destination_peer)
        if peer is not None and peer.remote_cluster:
            dst = f"service:{peer.remote_cluster}/{peer.remote_partition or 'default'}/{up.destination_name}"
            if dst not in g:
                dst = _pid(peer.remote_cluster, peer.remote_partition or "default")
        else:
            dst = _peer_node(g, topo, up.cluster, up.partition, up.destination_peer)
        mode = topo.gateway_mode_for(up.cluster, up.partition, up.service, up)
        where = [_where(up.doc, up.node)] + ([_where(mode.doc, mode.node)] if mode is not None else [])
        label = f"upstream {up.destination_name}" + (f" via {mode.mode} gateway" if mode is not None else "")
        g.add_edge(src, dst, type="upstream", label=label, where=where)
    for peering in topo.peerings():
        src = _pid(peering.cluster, peering.partition)
        dst = _peer_node(g, topo, peering.cluster, peering.partition, peering.peer_name, peering)
        where = (
            [_where(peering.doc, peering.node)]
            if peering.doc is not None
            else [(peering.config_path, peering.config_span.line, peering.config_span.line)]
            if peering.config_span
            else []
        )
        g.add_edge(
            src,
            dst,
            type="peering",
            label=f"{peering.role}: {peering.peer_name}",
            peer_name=peering.peer_name,
            role=peering.role,
            where=where,
        )
    return g


def _peer_node(g: Any, topo: Topology, cluster: str, partition: str, name: str, peering=None) -> str:
    """The node a peer name stands for: the remote partition when it resolves, else an
    ``external`` placeholder (a peer outside this repo, or an unknown name)."""
    peering = peering or topo.resolve_peer(cluster, partition, name)
    if peering is not None and peering.remote_cluster:
        return _pid(peering.remote_cluster, peering.remote_partition or "default")
    node = f"peer:{cluster}/{partition}/{name}"
    if node not in g:
        g.add_node(node, type="external", label=name, where=[])
    return node


def _marks(where: Iterable[tuple[str, int, int]], findings: list[Finding]) -> list[str]:
    codes = []
    for path, start, end in where:
        for f in findings:
            if f.path == path and start <= f.span.line <= end and f.code not in codes:
                codes.append(f.code)
    return codes


class _Ids:
    """Mermaid node ids: ``n0``, ``n1``... (names may hold any character, and two
    names may differ only in characters an id cannot hold)."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}

    def __call__(self, name: str) -> str:
        return self.ids.setdefault(name, f"n{len(self.ids)}")


def _label(text: str) -> str:
    return mask_secrets(text).replace('"', "'").replace("\n", " ")


def _clusters(topo: Topology, g: Any) -> list[str]:
    """The clusters drawn: every one, or those a filter (linter.report.graphview) kept."""
    return [c for c in topo.clusters() if f"cluster:{c}" in g]


def to_mermaid(topo: Topology, findings: list[Finding] = (), g: Any = None, links: dict[str, str] | None = None) -> str:
    """A Mermaid flowchart: a subgraph per cluster, partitions inside, findings in red;
    a flagged node links to its first finding's rule page (``links``: code -> URL; a
    ``click``, which renderers that allow interaction follow; Mermaid has none for edges)."""
    g = networkx_of(topo) if g is None else g
    findings = list(findings)
    links = links or {}
    _safe = _Ids()
    out = ["flowchart LR"]
    flagged, clicks = [], []
    for cluster in _clusters(topo, g):
        out.append(f'  subgraph {_safe("cluster:" + cluster)}["cluster {_label(cluster)}"]')
        out.append("    direction TB")
        for node, data in g.nodes(data=True):
            if data.get("type") in ("partition", "gateway", "service") and _owner(g, node) == cluster:
                marks = _marks(data.get("where", []), findings)
                label = _label(
                    f"{data['type'] if data['type'] != 'partition' else 'partition'} {data['label']}"
                    + (f" ⚠ {' '.join(marks)}" if marks else "")
                )
                shape = f'(["{label}"])' if data["type"] == "gateway" else f'["{label}"]'
                out.append(f"    {_safe(node)}{shape}")
                if marks:
                    flagged.append(_safe(node))
                    if marks[0] in links:
                        clicks.append(f'  click {_safe(node)} href "{links[marks[0]]}" "{" ".join(marks)}" _blank')
        out.append("  end")
    for node, data in g.nodes(data=True):
        if data.get("type") == "external":
            out.append(
                f'  {_safe(node)}{{{{"{_label("peer " + str(data.get("label", node)) + " (not in this repo)")}"}}}}'
            )
    for u, v, data in g.edges(data=True):
        if data.get("type") == "in" and g.nodes[u].get("type") == "partition":
            continue
        if data.get("type") == "in":
            out.append(f"  {_safe(u)} --- {_safe(v)}")
            continue
        marks = _marks(data.get("where", []), findings)
        label = _label(data.get("label", data.get("type", "")) + (f" ⚠ {' '.join(marks)}" if marks else ""))
        arrow = "==>" if data.get("type") == "peering" else "-.->"
        out.append(f'  {_safe(u)} {arrow}|"{label}"| {_safe(v)}')
    if flagged:
        out.append("  classDef finding stroke:#d00,stroke-width:3px,color:#d00")
        out.append(f"  class {','.join(flagged)} finding")
    out.extend(clicks)
    return "\n".join(out) + "\n"


def _owner(g: Any, node: str) -> str | None:
    """The cluster a partition/gateway/service node sits in."""
    here = node
    for _ in range(3):
        if g.nodes[here].get("type") == "partition":
            return g.nodes[here].get("cluster")
        ups = [v for _u, v, d in g.out_edges(here, data=True) if d.get("type") == "in"]
        if not ups:
            return None
        here = ups[0]
    return None


def _dq(text: str) -> str:
    return '"' + mask_secrets(str(text)).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _dot_link(marks: list[str], links: dict[str, str]) -> list[str]:
    """DOT attributes that make a flagged node or edge a link to its first finding's
    rule page in SVG output (``URL``, ``tooltip``: the codes)."""
    if not marks or marks[0] not in links:
        return []
    return [f"URL={_dq(links[marks[0]])}", f"tooltip={_dq(' '.join(marks))}", 'target="_blank"']


def to_dot(topo: Topology, findings: list[Finding] = (), g: Any = None, links: dict[str, str] | None = None) -> str:
    """Graphviz DOT: a ``cluster_`` subgraph per cluster, findings in red, linked to
    their rule pages (``links``: code -> URL) in SVG output."""
    g = networkx_of(topo) if g is None else g
    findings = list(findings)
    links = links or {}
    out = ["digraph peerlint {", "  rankdir=LR;", "  node [shape=box, fontname=Helvetica];"]
    for i, cluster in enumerate(_clusters(topo, g)):
        out.append(f"  subgraph cluster_{i} {{")
        out.append(f"    label={_dq('cluster ' + cluster)};")
        for node, data in g.nodes(data=True):
            if data.get("type") in ("partition", "gateway", "service") and _owner(g, node) == cluster:
                marks = _marks(data.get("where", []), findings)
                attrs = [
                    f"label={_dq(data['type'] + ' ' + str(data['label']) + (' ! ' + ' '.join(marks) if marks else ''))}"
                ]
                if data["type"] == "gateway":
                    attrs.append("shape=hexagon")
                if marks:
                    attrs.append("color=red")
                attrs.extend(_dot_link(marks, links))
                out.append(f"    {_dq(node)} [{', '.join(attrs)}];")
        out.append("  }")
    for node, data in g.nodes(data=True):
        if data.get("type") == "external":
            out.append(
                f"  {_dq(node)} [label={_dq('peer ' + str(data.get('label', node)) + ' (not in this repo)')}, style=dashed];"
            )
    for u, v, data in g.edges(data=True):
        if data.get("type") == "in" and g.nodes[u].get("type") == "partition":
            continue
        marks = _marks(data.get("where", []), findings) if data.get("type") != "in" else []
        attrs = (
            []
            if data.get("type") == "in"
            else [f"label={_dq(data.get('label', '') + (' ! ' + ' '.join(marks) if marks else ''))}"]
        )
        if data.get("type") in ("in",):
            attrs.append("arrowhead=none")
        if data.get("type") in ("export", "intention", "upstream"):
            attrs.append("style=dashed")
        if marks:
            attrs.append("color=red")
        attrs.extend(_dot_link(marks, links))
        out.append(f"  {_dq(u)} -> {_dq(v)} [{', '.join(attrs)}];")
    out.append("}")
    return "\n".join(out) + "\n"


def to_json(topo: Topology, findings: list[Finding] = (), g: Any = None, links: dict[str, str] | None = None) -> str:
    """Nodes and edges with their attributes and the finding codes marked on them."""
    g = networkx_of(topo) if g is None else g
    findings = list(findings)
    nodes = [
        {"id": n, **{k: v for k, v in d.items() if k != "where"}, "findings": _marks(d.get("where", []), findings)}
        for n, d in g.nodes(data=True)
    ]
    edges = [
        {
            "source": u,
            "target": v,
            **{k: val for k, val in d.items() if k != "where"},
            "findings": _marks(d.get("where", []), findings),
        }
        for u, v, d in g.edges(data=True)
    ]
    return (
        mask_secrets(
            json.dumps({"clusters": _clusters(topo, g), "nodes": nodes, "edges": edges}, indent=2, default=str)
        )
        + "\n"
    )


def to_tree(topo: Topology, findings: list[Finding] = (), g: Any = None, links: dict[str, str] | None = None) -> Any:
    """A rich Tree for terminals: cluster > partition > peerings, gateways, exports,
    intentions and upstreams across peerings;
    only what a filtered graph ``g`` kept; finding codes link to their rule pages
    (``links``: code -> URL; rich writes the links only to a terminal)."""
    from rich.markup import escape
    from rich.tree import Tree

    def e(text: str) -> str:  # names may hold a pasted token (issue #21)
        return escape(mask_secrets(text))

    def codes(marks: list[str]) -> str:
        linked = [f"[link={links[c]}]{c}[/link]" if c in links else c for c in marks]
        return f" [red]{' '.join(linked)}[/red]" if marks else ""

    links = links or {}
    kept = _TreeFilter(g)
    findings = list(findings)
    root = Tree("[bold]topology[/bold]")
    for cluster in topo.clusters():
        if not kept.node(f"cluster:{cluster}"):
            continue
        dc = topo.datacenter(cluster)
        node = root.add(
            f"[bold]cluster {e(cluster)}[/bold]" + (f" (datacenter {e(dc)})" if dc and dc != cluster else "")
        )
        for part in topo.partitions(cluster):
            pid = _pid(cluster, part)
            if not kept.node(pid):
                continue
            pnode = node.add(f"partition {e(part)}")
            for p in topo.peers_of(cluster, part):
                if not kept.peering(pid, p.peer_name):
                    continue
                where = (
                    [(p.doc.path, p.node.span.line, p.node.span.end_line)]
                    if p.doc is not None and p.node is not None
                    else [(p.config_path, p.config_span.line, p.config_span.line)]
                    if p.config_span
                    else []
                )
                marks = _marks(where, findings)
                far = (
                    e(f"{p.remote_cluster}/{p.remote_partition}") if p.remote_cluster else "[dim]not in this repo[/dim]"
                )
                pnode.add(f"peer [cyan]{e(p.peer_name)}[/cyan] ({p.role}) -> {far}" + codes(marks))
            for i, gw in enumerate(topo.gateways(cluster, part)):
                if kept.node(f"gateway:{cluster}/{part}/{i}"):
                    marks = _marks([_where(gw.doc, gw.node)], findings)
                    pnode.add(f"mesh gateway {e(gw.name)} ({gw.source})" + codes(marks))
            for exp in topo.exports(cluster, part):
                if kept.edge("export", _where(exp.doc, exp.node)):
                    marks = _marks([_where(exp.doc, exp.node)], findings)
                    pnode.add(e(f"export {exp.service} -> {exp.consumer_kind} {exp.consumer}") + codes(marks))
            for item in topo.intentions(cluster, part):
                if item.peer and kept.edge("intention", _where(item.doc, item.node)):
                    marks = _marks([_where(item.doc, item.node)], findings)
                    allows = "allow" if item.allows else "deny"
                    pnode.add(e(f"intention {item.source}@{item.peer} -> {item.destination} ({allows})") + codes(marks))
            for up in topo.upstreams(cluster, part):
                if up.destination_peer and kept.edge("upstream", _where(up.doc, up.node)):
                    mode = topo.gateway_mode_for(cluster, part, up.service, up)
                    where = [_where(up.doc, up.node)] + ([_where(mode.doc, mode.node)] if mode is not None else [])
                    via = f", via {mode.mode} gateway" if mode is not None else ""
                    label = f"upstream {up.service} -> {up.destination_name} (peer {up.destination_peer}{via})"
                    pnode.add(e(label) + codes(_marks(where, findings)))
    return root


class _TreeFilter:
    """What a filtered graph kept, asked by the tree (which walks the topology, not the
    graph); everything when there is no filter."""

    def __init__(self, g: Any) -> None:
        self.g = g
        self.edges = (
            set()
            if g is None
            else {(d.get("type"), w) for _u, _v, d in g.edges(data=True) for w in d.get("where", [])[:1]}
        )

    def node(self, node: str) -> bool:
        return self.g is None or node in self.g

    def peering(self, pid: str, name: str) -> bool:
        return self.g is None or any(
            d.get("type") == "peering" and d.get("peer_name") == name for _u, _v, d in self.g.out_edges(pid, data=True)
        )

    def edge(self, kind: str, where: tuple[str, int, int]) -> bool:
        return self.g is None or (kind, where) in self.edges


FORMATS = {"mermaid": to_mermaid, "dot": to_dot, "json": to_json}
