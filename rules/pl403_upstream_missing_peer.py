"""PL403: an upstream to a service that exists only in a peer, without
``destination_peer``.

Without a peer, Consul resolves an upstream in the local datacenter (seed 002:
"destination_peer must be configured to enable cross-cluster traffic"); a service that
lives only in a peer has no local instances, so the upstream gets no endpoints.
"""

from __future__ import annotations

from typing import Iterator

from linter.api import Finding, Rule
from linter.api.topology import exports_of, name_for


class UpstreamMissingPeer(Rule):
    code = "PL403"
    slug = "upstream-missing-peer"
    summary = "An upstream to a service that exists only in a peer, without destination_peer"
    severity = "error"
    reads = ("graph",)
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
- Seed 002, cluster peering technical specifications: sidecar proxy requirements
- Consul `agent/structs/connect_proxy_config.go` (`Upstream`)
"""
    example = {
        "bad": {
            "peerlint.toml": """\
[clusters.east]
paths = ["east"]
[clusters.west]
paths = ["west"]
[[peerings]]
a = "east"
b = "west"
""",
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
            "peerlint.toml": """\
[clusters.east]
paths = ["east"]
[clusters.west]
paths = ["west"]
[[peerings]]
a = "east"
b = "west"
""",
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
            spelled = " or ".join(f'destination_peer = "{p}"' for p in peers)
            if up.source == "annotation":
                spelled = " or ".join(f"{up.destination_name}.svc.{p}.peer" for p in peers)
            yield self.report(
                up.doc.at(up.name_node or up.node),
                f"upstream {up.destination_name} of {up.service} names no peer, so Consul looks for it in the local datacenter, "
                f"where it does not exist; it exists only in peer {', '.join(repr(p) for p in peers)}, which exports it to this cluster",
                related=[
                    (e.doc.at(e.node), f"{e.cluster} exports {up.destination_name} to this cluster") for _p, e in offers
                ],
                fix=f"use {spelled}",
            )
