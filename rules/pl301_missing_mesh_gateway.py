"""PL301: a partition exports services to a peer but registers no mesh gateway.

Peers reach exported services only through the exporting partition's mesh gateway
(consul-semantics §2.8; seed 002: "A cluster requires a registered mesh gateway in order
to export services to peers"), so such an export can never be dialled.
"""

from __future__ import annotations

from typing import Iterator

from linter.api import Export, Finding, Rule
from linter.api.topology import gateways_known

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
#: east/payments.hcl, the same in the bad and the good example
_EAST_PAYMENTS_HCL = """\
service {
  name = "payments"
  port = 9001
}
"""


class MissingMeshGateway(Rule):
    code = "PL301"
    slug = "missing-mesh-gateway"
    summary = "A partition exports services to a peer but registers no mesh gateway"
    severity = "error"
    reads = ("graph",)
    scope = "peers"
    doc = """
## What it does
Flags an `exported-services` consumer naming a peer when the exporting cluster/partition
registers no mesh gateway: no service of kind `mesh-gateway` and no Helm
`meshGateway.enabled: true`. A Kubernetes cluster whose Helm values are not in the repo
is left alone (its gateways cannot be seen).

## Why is this bad?
Peered traffic always enters a cluster through its mesh gateway: Consul hands the peer
the exporting partition's gateway addresses, and with none registered the peer's
upstreams get no endpoints. The gateway must be in the same partition as the exported
services and their `exported-services` entry.

**Assumes** the cluster's mesh gateways are in the repository. On Kubernetes the Helm
values decide (`meshGateway.enabled`): an error. On VMs a gateway may be registered on
the command line (`consul connect envoy -gateway=mesh -register`), which no file shows:
there the finding is a warning that says so. With no `[clusters]` in
peerlint.toml the clusters are inferred from the layout; where that is a guess (see
`peerlint init`), an error of this rule is reported as a warning that says what it rests
on.

## References
- [Consul docs: Cluster peering technical specifications (mesh gateway specifications)](https://developer.hashicorp.com/consul/docs/east-west/cluster-peering/tech-specs)
- [Consul `agent/proxycfg/mesh_gateway.go`: the mesh gateway's peering watches](https://github.com/hashicorp/consul/blob/main/agent/proxycfg/mesh_gateway.go)
- [Consul `agent/xds/endpoints.go`: `makeUpstreamLoadAssignmentForPeerService`](https://github.com/hashicorp/consul/blob/main/agent/xds/endpoints.go)
"""
    example = {
        "bad": {
            "peerlint.toml": _PEERLINT_TOML,
            "east/payments.hcl": _EAST_PAYMENTS_HCL,
            "east/exported-services.hcl": """\
Kind = "exported-services"
Name = "default"
Services = [{ Name = "payments", Consumers = [{ Peer = "west" }] }]
""",
        },
        "good": {
            "peerlint.toml": _PEERLINT_TOML,
            "east/payments.hcl": _EAST_PAYMENTS_HCL,
            "east/mesh-gateway.hcl": """\
service {
  name = "mesh-gateway"
  kind = "mesh-gateway"
  port = 8443
}
""",
            "east/exported-services.hcl": """\
Kind = "exported-services"
Name = "default"
Services = [{ Name = "payments", Consumers = [{ Peer = "west" }] }]
""",
        },
    }

    def check(self, project) -> Iterator[Finding]:
        graph = project.graph
        first: dict[tuple[str, str, str], list[Export]] = {}
        for export in graph.all_exports():
            if export.consumer_kind == "peer":
                first.setdefault((export.cluster, export.partition, export.consumer), []).append(export)
        for (cluster, partition, peer), exports in first.items():
            if graph.gateways(cluster, partition) or not gateways_known(graph, cluster):
                continue
            export = exports[0]
            names = sorted({e.service for e in exports})
            related = []
            for helm in graph.helm_values(cluster):
                related.append(
                    (helm.at(helm.root.key("meshGateway")), "this cluster's Helm values enable no mesh gateway")
                )
            peering = graph.resolve_peer(cluster, partition, peer)
            if peering is not None and peering.doc is not None:
                related.append((peering.doc.at(peering.node), f"the peering with {peer}"))
            where = f"cluster {cluster!r}" + (f" partition {partition!r}" if partition != "default" else "")
            message = (
                f"{', '.join(names)} exported to peer {peer!r}, but {where} registers no mesh gateway: "
                "peers reach exported services only through the exporting partition's mesh gateway, so Consul gives their upstreams no endpoints"
            )
            vm = not graph.helm_values(cluster)
            if vm:
                # on VMs a gateway is often registered on the command line
                # (consul connect envoy -gateway=mesh -register), which no file shows
                message += " (unless a mesh gateway is registered outside these files, e.g. by consul connect envoy -gateway=mesh -register)"
            yield self.report(
                export.doc.at(export.node),
                message,
                severity="warning" if vm else None,
                related=related,
                fix='register a mesh gateway in this partition (a service with kind = "mesh-gateway", or Helm meshGateway.enabled: true)',
            )
