"""PL205: peering on Consul older than 1.14.1 or consul-k8s older than 1.0.0."""

from __future__ import annotations

from typing import Iterator

from linter.api import Finding, Rule
from linter.api.versions import at_least, parse_version, show

#: Seed 001: "Consul v1.14.1 or higher"; seed 004: "Consul on Kubernetes v1.0.0 or higher".
MINIMUM = {"consul": (1, 14, 1), "consul-k8s": (1, 0, 0)}
WHERE = {"consul": "Consul", "consul-k8s": "consul-k8s"}


class PeeringVersion(Rule):
    code = "PL205"
    slug = "peering-version"
    summary = "Peering on Consul older than 1.14.1 or consul-k8s older than 1.0.0"
    severity = "error"
    reads = ("graph",)
    doc = """
## What it does
In a cluster that uses peering (peering CRs or `[[peerings]]`, peer names in exports,
intentions or upstreams, or peering switched on), flags a Consul version older than
1.14.1 or a consul-k8s version older than 1.0.0. Versions come from the Helm
`global.image` / `global.imageK8s` tags, or `consul-version` / `consul-k8s-version` in
the peerlint config. Silent when no version is stated.

## Why is this bad?
Cluster peering was experimental before Consul 1.14 and consul-k8s 1.0.0: the CRDs,
peer fields and the chart's requirements changed, and 1.14.0 had peering defects fixed
in 1.14.1, the minimum the peering guide requires.

**Assumes** the versions the repository pins (`global.image`, `global.imageK8S`,
`consul-version`, `consul-k8s-version`); with no version anywhere it is silent. With no
`[clusters]` in peerlint.toml the clusters are inferred from the layout; where that is a
guess (see `peerlint init`), an error of this rule is reported as a warning that says
what it rests on.

## References
- [Consul docs: Establish cluster peering connections (Consul v1.14.1 or higher)](https://developer.hashicorp.com/consul/docs/east-west/cluster-peering/establish/vm)
- [Consul docs: Cluster peering on Kubernetes technical specifications (Consul on Kubernetes v1.0.0 or higher)](https://developer.hashicorp.com/consul/docs/east-west/cluster-peering/tech-specs/k8s)
- [consul-k8s CHANGELOG 1.0.0 (peering GA)](https://github.com/hashicorp/consul-k8s/blob/main/CHANGELOG.md#100-november-17-2022)
"""
    example = {
        "bad": {
            "values.yaml": """\
global:
  image: hashicorp/consul:1.13.3
  peering:
    enabled: true
  tls:
    enabled: true
meshGateway:
  enabled: true
""",
        },
        "good": {
            "values.yaml": """\
global:
  image: hashicorp/consul:1.16.0
  peering:
    enabled: true
  tls:
    enabled: true
meshGateway:
  enabled: true
""",
        },
    }

    def check(self, project) -> Iterator[Finding]:
        topo = project.graph
        reported: set[int] = set()
        for cluster in topo.clusters():
            uses = self._uses_peering(topo, cluster)
            if uses is None:
                continue
            for setting in topo.versions(cluster):
                version = parse_version(setting.version)
                minimum = MINIMUM.get(setting.product)
                if at_least(version, minimum) is not False or id(setting) in reported:
                    continue
                reported.add(id(setting))
                product = WHERE[setting.product]
                yield self.report(
                    setting,
                    f"{product} {show(version)} is older than {show(minimum)}, the first version with GA cluster peering, "
                    f"and cluster {cluster!r} uses peering",
                    related=[(uses, "peering is used here")],
                    fix=f"upgrade to {product} {show(minimum)} or newer"
                    + (
                        " (image tag)" if setting.doc is not None else f" and set {setting.product}-version accordingly"
                    ),
                    node_path=f"{setting.product}-version",
                )

    @staticmethod
    def _uses_peering(topo, cluster: str):
        """The first thing that shows ``cluster`` uses peering, or None."""
        for partition in topo.partitions(cluster):
            peers = topo.peers_of(cluster, partition)
            if peers:
                return peers[0]
        refs = topo.peer_references(cluster)
        if refs:
            return refs[0].doc.at(refs[0].node)
        for switch in topo.peering_switches(cluster):
            if switch.enabled:
                return switch
        return None
