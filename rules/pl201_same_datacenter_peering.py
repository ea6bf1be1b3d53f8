"""PL201: a peering between two partitions of one datacenter (Consul refuses it)."""

from __future__ import annotations

from typing import Iterator

from linter.api import Finding, Rule


class SameDatacenterPeering(Rule):
    code = "PL201"
    slug = "same-datacenter-peering"
    summary = "Peering between two partitions of the same datacenter; use exported-services with a Partition consumer"
    severity = "error"
    reads = ("graph",)
    doc = """
## What it does
Flags a peering (a PeeringAcceptor/PeeringDialer `metadata.name`, or a `[[peerings]]`
entry of the peerlint config) whose two ends are the same Consul datacenter: one
cluster, or clusters the config maps to one `datacenter`, or admin partitions of one
datacenter.

## Why is this bad?
Establishing compares the token's server name with the local one and answers
`cannot create a peering within the same cluster "dc1". Refer to the exported-services
documentation if you want to export between partitions without peering`. Partitions of
one datacenter share services through `exported-services` with a `Partition` consumer.

**Assumes** two clusters are one datacenter when the config gives them one `datacenter`,
or, with no config, when their files set one datacenter name in different admin
partitions. With no `[clusters]` in peerlint.toml the clusters are inferred from the
layout; where that is a guess (see `peerlint init`), an error of this rule is reported
as a warning that says what it rests on.

## References
- [Consul `agent/rpc/peering/service.go`: `Establish` (same-cluster check)](https://github.com/hashicorp/consul/blob/main/agent/rpc/peering/service.go)
- [Consul docs: Establish cluster peering connections (services hosted in admin partitions on separate datacenters)](https://developer.hashicorp.com/consul/docs/east-west/cluster-peering/establish/vm)
"""
    example = {
        "bad": {
            "peerlint.toml": """\
edition = "enterprise"

[clusters.east-web]
datacenter = "dc1"
partition = "web"
paths = ["web"]

[clusters.east-api]
datacenter = "dc1"
partition = "api"
paths = ["api"]

[[peerings]]
a = "east-web"
b = "east-api"
""",
            "api/exports.hcl": """\
Kind = "exported-services"
Name = "api"
Services = [{ Name = "api", Consumers = [{ Peer = "east-web" }] }]
""",
        },
        "good": {
            "peerlint.toml": """\
edition = "enterprise"

[clusters.east-web]
datacenter = "dc1"
partition = "web"
paths = ["web"]

[clusters.east-api]
datacenter = "dc1"
partition = "api"
paths = ["api"]
""",
            "api/exports.hcl": """\
Kind = "exported-services"
Name = "api"
Services = [{ Name = "api", Consumers = [{ Partition = "web" }] }]
""",
        },
    }

    def check(self, project) -> Iterator[Finding]:
        topo = project.graph
        seen_config: set[tuple[str, int]] = set()
        for peering in topo.peerings():
            remote = peering.remote_cluster
            if remote is None or not topo.same_datacenter(
                peering.cluster, peering.partition, remote, peering.remote_partition or "default"
            ):
                continue
            if peering.role == "config":
                place = (peering.config_path, peering.config_span.line if peering.config_span else 0)
                if place in seen_config:  # one entry declares both ends: one finding
                    continue
                seen_config.add(place)
            dc = topo.datacenter(peering.cluster) or peering.cluster
            where = f"partition {peering.partition!r} of {peering.cluster!r}"
            other = f"partition {peering.remote_partition!r} of {remote!r}"
            related = [(peering.partner, "the other end of this peering")] if peering.partner is not None else []
            yield self.report(
                peering,
                f"peering {peering.peer_name!r} connects {where} with {other}, the same datacenter {dc!r}; "
                f"Consul refuses it: cannot create a peering within the same cluster",
                related=related,
                fix=f"remove the peering and export the services with an exported-services consumer "
                f'Partition = "{peering.remote_partition or "default"}" instead',
                node_path=f"peerings[{peering.cluster},{remote}]",
            )
