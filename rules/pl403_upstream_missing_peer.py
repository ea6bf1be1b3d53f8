"""PL403: an upstream to a service that exists only in a peer, without
``destination_peer``.

Without a peer, Consul resolves an upstream in the local datacenter (seed 002:
"destination_peer must be configured to enable cross-cluster traffic"); a service that
lives only in a peer has no local instances, so the upstream gets no endpoints.
"""

from __future__ import annotations

import re
from typing import Iterator

from linter.api import HELM_VALUES, Edit, Finding, Fix, Rule, Span
from linter.api.fixes import editable, indent_of, insert_lines, line_of, source_of
from linter.api.helm import install_for
from linter.api.k8s import target_with_peer
from linter.api.topology import exports_of, name_for

#: peerlint.toml, the same in the bad and the good example
_PEERLINT_TOML = """\
[clusters.east]
paths = ["east"]
[clusters.west]
paths = ["west"]
[[peerings]]
a = "east"
b = "west"
"""


class UpstreamMissingPeer(Rule):
    code = "PL403"
    slug = "upstream-missing-peer"
    summary = "An upstream to a service that exists only in a peer, without destination_peer"
    severity = "error"
    reads = ("graph", "texts", HELM_VALUES)  # Helm values: the annotation grammar of the fix
    scope = "peers"
    fix = "sometimes"
    doc = """
## What it does
Flags the `destination_name` of an upstream (sidecar `proxy.upstreams`, or the
`connect-service-upstreams` annotation) that names no peer and no datacenter, when the
service is not declared in the local partition but a peer in the repo exports it to this
cluster.

## Why is this bad?
An upstream without `destination_peer` is resolved in the local datacenter. Services
imported from a peer are only reachable as `destination_peer = "<peer>"` (or
`<service>.svc.<peer>.peer` in the annotation), so this upstream never gets endpoints.

**Assumes** nothing about ACLs: an upstream without `destination_peer` resolves in the
local cluster whatever the posture. With no `[clusters]` in peerlint.toml the clusters
are inferred from the layout; where that is a guess (see `peerlint init`), an error of
this rule is reported as a warning that says what it rests on.

## References
- [Consul docs: Cluster peering technical specifications (sidecar proxy specifications)](https://developer.hashicorp.com/consul/docs/east-west/cluster-peering/tech-specs)
- [Consul `agent/structs/connect_proxy_config.go`: `Upstream`](https://github.com/hashicorp/consul/blob/main/agent/structs/connect_proxy_config.go)
"""
    example = {
        "bad": {
            "peerlint.toml": _PEERLINT_TOML,
            "west/exports.hcl": """\
Kind = "exported-services"
Name = "default"
Services = [{ Name = "inventory", Consumers = [{ Peer = "east" }] }]
""",
            "east/reports.hcl": """\
service {
  name = "reports"
  port = 9020
  connect {
    sidecar_service {
      proxy {
        upstreams = [{ destination_name = "inventory", local_bind_port = 9102 }]
      }
    }
  }
}
""",
        },
        "good": {
            "peerlint.toml": _PEERLINT_TOML,
            "west/exports.hcl": """\
Kind = "exported-services"
Name = "default"
Services = [{ Name = "inventory", Consumers = [{ Peer = "east" }] }]
""",
            "east/reports.hcl": """\
service {
  name = "reports"
  port = 9020
  connect {
    sidecar_service {
      proxy {
        upstreams = [{ destination_name = "inventory", destination_peer = "west", local_bind_port = 9102 }]
      }
    }
  }
}
""",
        },
    }

    def check(self, project) -> Iterator[Finding]:
        graph = project.graph
        for up in graph.upstreams():
            if up.destination_peer or up.datacenter or not up.destination_name or up.destination_name == "*":
                continue
            if up.destination_partition and up.destination_partition != up.partition:
                continue
            if graph.service(up.cluster, up.partition, up.destination_name):
                continue  # declared locally (or named locally by an export or intention)
            offers = []
            for peering in graph.peers_of(up.cluster, up.partition):
                if peering.remote_cluster is None:
                    continue
                rpart = peering.remote_partition or "default"
                us = name_for(graph, peering.remote_cluster, rpart, up.cluster, up.partition)
                found = exports_of(graph, peering.remote_cluster, rpart, up.destination_name, us) if us else []
                if found:
                    offers.append((peering, found[0]))
            if not offers:
                continue
            peers = sorted({p.peer_name for p, _ in offers})
            edits = _add_peer(project, up, peers[0]) if len(peers) == 1 else ()
            spelled = " or ".join(f'destination_peer = "{p}"' for p in peers)
            if up.source == "annotation" and edits:
                spelled = edits[0].new_text
            elif up.source == "annotation":
                namespace = ".svc.<namespace>.ns" if _ns_or_ap(project, up.cluster) else ".svc"
                spelled = " or ".join(f"{up.destination_name}{namespace}.{p}.peer" for p in peers)
            yield self.report(
                up.doc.at(up.name_node or up.node),
                f"upstream {up.destination_name} of {up.service} names no peer, so Consul looks for it in the local datacenter, "
                f"where it does not exist; it exists only in peer {', '.join(repr(p) for p in peers)}, which exports it to this cluster",
                related=[
                    (e.doc.at(e.node), f"{e.cluster} exports {up.destination_name} to this cluster") for _p, e in offers
                ],
                fix=Fix(f"use {spelled}", edits),
            )


def _ns_or_ap(project, cluster: str) -> bool:
    """Whether the cluster's install turns on Consul namespaces or admin partitions:
    then a labelled annotation entry names its namespace before its peer."""
    install = install_for(project, cluster)
    return install is not None and (
        install.truthy("global.enableConsulNamespaces") or install.truthy("global.adminPartitions.enabled")
    )


def _add_peer(project, up, peer: str) -> tuple[Edit, ...]:
    """The edit naming ``peer`` on the upstream, in its file's syntax: a
    ``destination_peer`` line (HCL) or member (JSON) after ``destination_name``, or the
    annotation entry's target rewritten in the labelled form with the peer
    (:func:`_annotation_edit`). None when the source is not laid out as expected."""
    text = editable(project.texts, up.doc)
    node = up.name_node
    if text is None or node is None:
        return ()
    if up.source == "annotation":
        ns_or_ap = _ns_or_ap(project, up.cluster)
        return _annotation_edit(up.doc.path, text, node.span, up.destination_name, peer, ns_or_ap)
    if node.span.line != node.span.end_line:
        return ()
    path, span, name = up.doc.path, node.span, up.destination_name
    source = source_of(text, span)
    row = line_of(text, span.line)
    if source.strip('"') != name:
        return ()
    if up.doc.syntax == "json":
        return (Edit(path, Span(span.line, span.end_col, span.line, span.end_col), f', "destination_peer": "{peer}"'),)
    if up.doc.syntax != "hcl":
        return ()
    rest = row[span.end_col - 1 :].strip()
    if not rest or rest.startswith(("#", "//")):
        return (insert_lines(path, span.line + 1, [f'{indent_of(text, span.line)}destination_peer = "{peer}"']),)
    return (Edit(path, Span(span.line, span.end_col, span.line, span.end_col), f', destination_peer = "{peer}"'),)


#: An entry's target from its service name on (dotted labels), up to its ``:``.
_LABELS = r"((?:\.[^\s,:\"'.?]+)*)(?=:)"


def _annotation_edit(path: str, text: str, span: Span, name: str, peer: str, ns_or_ap: bool) -> tuple[Edit, ...]:
    """The annotation entry's target (``name[.labels]``, before its ``:``) rewritten
    with the peer (:func:`linter.api.k8s.target_with_peer`). ``span`` is the service
    part when the value is one plain or simply quoted line; otherwise (a block scalar,
    a quoted value over several lines) it is the whole value, and the target is the
    one place in its source where ``name`` starts an entry (after the start, a blank,
    a comma or a quote): two such places, no edit."""
    source = source_of(text, span)
    if span.line == span.end_line and source == name:
        row = line_of(text, span.line)
        found = re.compile(re.escape(name) + _LABELS).match(row, span.col - 1)
        before = row[span.col - 2] if span.col > 1 else ""
        if found is None or before not in ("", " ", ",", '"', "'"):
            return ()
        line, col, target = span.line, span.col, found.group(0)
    else:
        places = list(re.finditer(r"(?<![^\s,\"'])" + re.escape(name) + _LABELS, source))
        if len(places) != 1:
            return ()
        offset, target = places[0].start(), places[0].group(0)
        prefix = source[:offset]
        newline = prefix.rfind("\n")
        line = span.line + prefix.count("\n")
        col = span.col + offset if newline < 0 else offset - newline
    new = target_with_peer(target, name, peer, ns_or_ap)
    if new is None:
        return ()
    return (Edit(path, Span(line, col, line, col + len(target)), new),)
