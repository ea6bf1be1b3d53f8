"""PL402: an intention allows a source from peer P to service S, but S is not exported
to P.

A peer can only call what is exported to it (consul-semantics §2.1: a consumer matches a
peering by exact name), so such an intention authorizes traffic that can never arrive;
usually the export was forgotten or names the peer differently.
"""

from __future__ import annotations

from typing import Iterator

from linter.api import Finding, Rule
from linter.api.topology import exports_of

#: peerlint.toml, the same in the bad and the good example
_PEERLINT_TOML = """\
[clusters.cluster-01]
paths = ["cluster-01"]
[clusters.cluster-02]
paths = ["cluster-02"]
[[peerings]]
a = "cluster-01"
b = "cluster-02"
"""


class IntentionWithoutExport(Rule):
    code = "PL402"
    slug = "intention-without-export"
    summary = "An intention allows a source from a peer to a service that is not exported to that peer"
    severity = "warning"
    reads = ("graph",)
    scope = "peers"
    doc = """
## What it does
Flags the `Peer` of an allowing intention source (service-intentions entry or
`ServiceIntentions` CR) when the destination service is not exported to that peer by the
partition's `exported-services` (by name or `*`).

## Why is this bad?
Consul replicates to a peer only the services exported to it, matching the consumer's
`Peer` to the peering name exactly. Without the export the peer never sees the service,
so the intention authorizes calls that cannot happen; the export is missing or names the
peer differently.

**Assumes** nothing about ACLs: without an export the peer cannot see the service
whatever the ACL posture. With no `[clusters]` in peerlint.toml the clusters are
inferred from the layout; where that is a guess (see `peerlint init`), an error of this
rule is reported as a warning that says what it rests on.

## References
- [Consul docs: Establish cluster peering connections (export services between clusters)](https://developer.hashicorp.com/consul/docs/east-west/cluster-peering/establish/vm)
- [Consul `agent/consul/state/peering.go`: `exportedServicesForPeerTxn`](https://github.com/hashicorp/consul/blob/main/agent/consul/state/peering.go)
"""
    example = {
        "bad": {
            "peerlint.toml": _PEERLINT_TOML,
            "cluster-01/exports.hcl": """\
Kind = "exported-services"
Name = "default"
Services = [{ Name = "other-service", Consumers = [{ Peer = "cluster-02" }] }]
""",
            "cluster-01/intentions.hcl": """\
Kind = "service-intentions"
Name = "backend-service"
Sources = [{ Name = "frontend-service", Peer = "cluster-02", Action = "allow" }]
""",
        },
        "good": {
            "peerlint.toml": _PEERLINT_TOML,
            "cluster-01/exports.hcl": """\
Kind = "exported-services"
Name = "default"
Services = [{ Name = "backend-service", Consumers = [{ Peer = "cluster-02" }] }]
""",
            "cluster-01/intentions.hcl": """\
Kind = "service-intentions"
Name = "backend-service"
Sources = [{ Name = "frontend-service", Peer = "cluster-02", Action = "allow" }]
""",
        },
    }

    def check(self, project) -> Iterator[Finding]:
        graph = project.graph
        for cluster in graph.clusters():
            for partition in graph.partitions(cluster):
                exports = graph.exports(cluster, partition)
                if any(e.consumer_kind == "sameness-group" for e in exports):
                    continue  # sameness groups can export to the peer too; not judged
                for intention in graph.intentions(cluster, partition):
                    peer = intention.peer
                    if not peer or not intention.allows or intention.destination in ("", "*"):
                        continue
                    if exports_of(graph, cluster, partition, intention.destination, peer):
                        continue
                    related = [
                        (e.doc.at(e.service_node or e.node), f"{e.service} is exported to peer {e.consumer}")
                        for e in exports
                        if e.consumer_kind == "peer"
                    ][:3]
                    yield self.report(
                        intention.doc.at(intention.peer_node),
                        f"this intention allows {intention.source or 'a source'} from peer {peer!r} to call {intention.destination}, "
                        f"but {intention.destination} is not exported to {peer!r}: the peer never sees it, so the intention has no effect",
                        related=related,
                        fix=f'export {intention.destination} with a consumer {{ Peer = "{peer}" }}, or remove the source',
                    )
