"""PL206: peering configured in a cluster whose agent config or Helm values turn it off."""

from __future__ import annotations

from typing import Iterator

from linter.api import Finding, Rule


class PeeringDisabled(Rule):
    code = "PL206"
    slug = "peering-disabled"
    summary = "Peering configured in a cluster whose agent config or Helm values turn peering off"
    severity = "error"
    reads = ("graph",)
    scope = "peers"
    doc = """
## What it does
Flags `peering { enabled = false }` in an agent configuration and
`global.peering.enabled: false` in Helm values of a cluster that configures peering:
peering CRs or `[[peerings]]`, or peer names in exports, intentions, upstreams,
resolvers, sameness groups or service-defaults.

## Why is this bad?
With peering disabled every peering endpoint answers `peering must be enabled to use
this endpoint`: no token is generated, no peering established, and the exports,
intentions and upstreams that name peers do nothing. On Kubernetes the chart does not
even install the PeeringAcceptor/PeeringDialer CRDs or run their controllers.

**Assumes** the peering switch the cluster's own agent configuration or Helm values set
(peering is on by default in agents, off in the chart). With no `[clusters]` in
peerlint.toml the clusters are inferred from the layout; where that is a guess (see
`peerlint init`), an error of this rule is reported as a warning that says what it rests
on.

## References
- [Consul `agent/rpc/peering/service.go`: `peering must be enabled to use this endpoint`](https://github.com/hashicorp/consul/blob/main/agent/rpc/peering/service.go)
- [consul-k8s `charts/consul/templates/crd-peeringacceptors.yaml`: rendered only with `global.peering.enabled`](https://github.com/hashicorp/consul-k8s/blob/main/charts/consul/templates/crd-peeringacceptors.yaml)
"""
    example = {
        "bad": {
            "cluster-01/agent.hcl": """\
datacenter = "cluster-01"
server = true
peering {
  enabled = false
}
""",
            "cluster-01/exports.hcl": """\
Kind = "exported-services"
Name = "default"
Services = [{ Name = "api", Consumers = [{ Peer = "cluster-02" }] }]
""",
        },
        "good": {
            "cluster-01/agent.hcl": """\
datacenter = "cluster-01"
server = true
peering {
  enabled = true
}
""",
            "cluster-01/exports.hcl": """\
Kind = "exported-services"
Name = "default"
Services = [{ Name = "api", Consumers = [{ Peer = "cluster-02" }] }]
""",
        },
    }

    def check(self, project) -> Iterator[Finding]:
        topo = project.graph
        for cluster in topo.clusters():
            switches = [s for s in topo.peering_switches(cluster) if not s.enabled]
            if not switches:
                continue
            uses = [p for part in topo.partitions(cluster) for p in topo.peers_of(cluster, part)]
            refs = topo.peer_references(cluster)
            if not uses and not refs:
                continue
            related = [(p, f"peering {p.peer_name!r} ({p.role})") for p in uses[:3]]
            related += [(r.doc.at(r.node), f"{r.context} {r.name!r}") for r in refs[:3]]
            what = f"{len(uses)} peering(s)" if uses else f"peer name {refs[0].name!r} ({refs[0].context})"
            for switch in switches:
                where = "global.peering.enabled" if switch.doc.category == "helm-values" else "peering.enabled"
                yield self.report(
                    switch,
                    f"{where} is false in cluster {cluster!r}, which configures {what}; "
                    f'Consul answers "peering must be enabled to use this endpoint"',
                    related=related,
                    fix=f"set {where} to true (or remove the peering configuration from this cluster)",
                )
