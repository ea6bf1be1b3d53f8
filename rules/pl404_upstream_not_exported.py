"""PL404: an upstream with ``destination_peer = P`` to a service that P does not export
to this cluster.

A peer replicates only the services its ``exported-services`` entry exports to this
cluster's peer name (consul-semantics §2.1), so the upstream never gets endpoints.
"""

from __future__ import annotations

from typing import Iterator

from linter.api import Finding, Rule
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
#: east/billing.hcl, the same in the bad and the good example
_EAST_BILLING_HCL = """\
service {
  name = "billing"
  port = 9010
  connect {
    sidecar_service {
      proxy {
        upstreams = [{ destination_name = "inventory", destination_peer = "west", local_bind_port = 9101 }]
      }
    }
  }
}
"""


class UpstreamNotExported(Rule):
    code = "PL404"
    slug = "upstream-not-exported"
    summary = "An upstream to a peer's service that the peer does not export to this cluster"
    severity = "error"
    reads = ("graph",)
    scope = "peers"
    doc = """
## What it does
Flags the `destination_name` of an upstream with `destination_peer = P` (or the
annotation's `<service>.svc.<P>.peer`) when P is a cluster in the repo whose partition
does not export the service (by name or `*`) to the peer name it uses for this cluster.
Peers whose files are not in the repo, or that export to sameness groups, are left alone.

## Why is this bad?
Consul imports from a peer only the services the peer exports to this peering; any
other upstream stays without endpoints and every call fails.

**Assumes** the peer's exported-services entries are in the repository (a peer with no
files here is not judged); nothing about ACLs: an unexported service is invisible to the
peer whatever the posture. With no `[clusters]` in peerlint.toml the clusters are
inferred from the layout; where that is a guess (see `peerlint init`), an error of this
rule is reported as a warning that says what it rests on.

## References
- [Consul docs: Establish cluster peering connections (export services between clusters)](https://developer.hashicorp.com/consul/docs/east-west/cluster-peering/establish/vm)
- [Consul `agent/consul/state/peering.go`: `exportedServicesForPeerTxn`](https://github.com/hashicorp/consul/blob/main/agent/consul/state/peering.go)
"""
    example = {
        "bad": {
            "peerlint.toml": _PEERLINT_TOML,
            "west/exports.hcl": """\
Kind = "exported-services"
Name = "default"
Services = [{ Name = "catalog", Consumers = [{ Peer = "east" }] }]
""",
            "east/billing.hcl": _EAST_BILLING_HCL,
        },
        "good": {
            "peerlint.toml": _PEERLINT_TOML,
            "west/exports.hcl": """\
Kind = "exported-services"
Name = "default"
Services = [{ Name = "inventory", Consumers = [{ Peer = "east" }] }]
""",
            "east/billing.hcl": _EAST_BILLING_HCL,
        },
    }

    def check(self, project) -> Iterator[Finding]:
        graph = project.graph
        to_groups: dict[tuple[str, str], bool] = {}  # (cluster, partition) -> exports to a sameness group
        for up in graph.upstreams():
            if not up.destination_peer or not up.destination_name or up.destination_name == "*":
                continue
            peering = graph.resolve_peer(up.cluster, up.partition, up.destination_peer)
            if peering is None or peering.remote_cluster is None:
                continue  # an unknown peer is PL202's; a peer outside the repo cannot be judged
            remote, rpart = peering.remote_cluster, peering.remote_partition or "default"
            exports = graph.exports(remote, rpart)
            if not exports and not graph.services(remote, rpart):
                continue  # nothing of the peer's partition is in the repo
            if (remote, rpart) not in to_groups:
                to_groups[(remote, rpart)] = any(e.consumer_kind == "sameness-group" for e in exports)
            if to_groups[(remote, rpart)]:
                continue
            us = name_for(graph, remote, rpart, up.cluster, up.partition)
            if us is None or exports_of(graph, remote, rpart, up.destination_name, us):
                continue
            related = [
                (e.doc.at(e.service_node or e.node), f"{remote} exports {e.service} to peer {e.consumer}")
                for e in exports
                if e.consumer_kind == "peer" and e.consumer == us
            ][:3]
            if not related and peering.doc is not None:
                related = [(peering.doc.at(peering.node), f"the peering with {peering.peer_name}")]
            yield self.report(
                up.doc.at(up.name_node or up.node),
                f"peer {up.destination_peer!r} does not export {up.destination_name} to this cluster (which it knows as peer {us!r}), "
                "so Consul imports no instances of it and this upstream gets no endpoints",
                related=related,
                fix=f'in {remote}\'s exported-services, export {up.destination_name} with a consumer {{ Peer = "{us}" }}',
            )
