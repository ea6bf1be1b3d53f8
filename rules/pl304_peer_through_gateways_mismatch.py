"""PL304: ``PeerThroughMeshGateways`` set where it cannot work as written: on one side
of a peering only, outside the default partition, or without a mesh gateway.

The setting moves the peering control plane (token server addresses, the peering
stream) onto the mesh gateways; seed 004 applies the Mesh entry to both clusters, the
consul-k8s webhook forbids it outside ``default``, and Consul refuses to generate a
token when no gateway is registered (consul-semantics §4).
"""

from __future__ import annotations

from typing import Iterator

from linter.api import Finding, Rule
from linter.api.topology import gateways_known

_ACCEPTOR = "apiVersion: consul.hashicorp.com/v1alpha1\nkind: PeeringAcceptor\nmetadata:\n  name: cluster-02\nspec:\n  peer:\n    secret:\n      name: peering-token\n      key: data\n      backend: kubernetes\n"


#: peerlint.toml, the same in the bad and the good example
_PEERLINT_TOML = """\
[clusters.cluster-01]
paths = ["one"]
[clusters.cluster-02]
paths = ["two"]
"""
#: one/values.yaml, the same in the bad and the good example
_ONE_VALUES_YAML = """\
global:
  peering:
    enabled: true
  tls:
    enabled: true
connectInject:
  enabled: true
meshGateway:
  enabled: true
"""
#: two/values.yaml, the same in the bad and the good example
_TWO_VALUES_YAML = """\
global:
  peering:
    enabled: true
  tls:
    enabled: true
connectInject:
  enabled: true
meshGateway:
  enabled: true
"""
#: one/mesh.yaml, the same in the bad and the good example
_ONE_MESH_YAML = """\
apiVersion: consul.hashicorp.com/v1alpha1
kind: Mesh
metadata:
  name: mesh
spec:
  peering:
    peerThroughMeshGateways: true
"""
#: one/acceptor.yaml, the same in the bad and the good example
_ONE_ACCEPTOR_YAML = """\
apiVersion: consul.hashicorp.com/v1alpha1
kind: PeeringAcceptor
metadata:
  name: cluster-02
spec:
  peer:
    secret:
      name: peering-token
      key: data
      backend: kubernetes
"""
#: two/dialer.yaml, the same in the bad and the good example
_TWO_DIALER_YAML = """\
apiVersion: consul.hashicorp.com/v1alpha1
kind: PeeringDialer
metadata:
  name: cluster-01
spec:
  peer:
    secret:
      name: peering-token
      key: data
      backend: kubernetes
"""


class PeerThroughGatewaysMismatch(Rule):
    code = "PL304"
    slug = "peer-through-gateways-mismatch"
    summary = "peerThroughMeshGateways on one side of a peering only, outside the default partition, or without a mesh gateway"
    severity = "warning"
    reads = ("graph", "documents")
    scope = "peers"
    doc = """
## What it does
Flags the `peering` block of a mesh config entry / `Mesh` CR that sets
`PeerThroughMeshGateways` / `peerThroughMeshGateways` to true when the peer cluster
(in the repo) does not, when the entry is in a partition other than `default`, or when
the partition registers no mesh gateway.

## Why is this bad?
With the setting on, a cluster's servers advertise and dial peers through their mesh
gateways. The docs apply the Mesh entry to both peered clusters; one-sided settings
leave one control plane dialling servers directly, which fails where servers are not
reachable. Outside `default` the setting is forbidden (consul-k8s:
`"peerThroughMeshGateways" is only valid in the "default" partition`), and without a
registered gateway Consul fails with `servers are configured to
PeerThroughMeshGateways, but no mesh gateway instances are registered`.

**Assumes** both sides' mesh configuration is in the repository when both are peered
clusters of it. With no `[clusters]` in peerlint.toml the clusters are inferred from the
layout; where that is a guess (see `peerlint init`), an error of this rule is reported
as a warning that says what it rests on.

## References
- [Consul docs: Cluster peering on Kubernetes technical specifications (mesh gateway specifications)](https://developer.hashicorp.com/consul/docs/east-west/cluster-peering/tech-specs/k8s)
- [consul-k8s `control-plane/api/v1alpha1/mesh_types.go`: `Mesh` (`peering.peerThroughMeshGateways`)](https://github.com/hashicorp/consul-k8s/blob/main/control-plane/api/v1alpha1/mesh_types.go)
- [Consul `agent/consul/peering_backend.go`: `GetTLSMaterials` and server addresses when peering through mesh gateways](https://github.com/hashicorp/consul/blob/main/agent/consul/peering_backend.go)
"""
    example = {
        "bad": {
            "peerlint.toml": _PEERLINT_TOML,
            "one/values.yaml": _ONE_VALUES_YAML,
            "two/values.yaml": _TWO_VALUES_YAML,
            "one/mesh.yaml": _ONE_MESH_YAML,
            "one/acceptor.yaml": _ONE_ACCEPTOR_YAML,
            "two/dialer.yaml": _TWO_DIALER_YAML,
        },
        "good": {
            "peerlint.toml": _PEERLINT_TOML,
            "one/values.yaml": _ONE_VALUES_YAML,
            "two/values.yaml": _TWO_VALUES_YAML,
            "one/mesh.yaml": _ONE_MESH_YAML,
            "two/mesh.yaml": """\
apiVersion: consul.hashicorp.com/v1alpha1
kind: Mesh
metadata:
  name: mesh
spec:
  peering:
    peerThroughMeshGateways: true
""",
            "one/acceptor.yaml": _ONE_ACCEPTOR_YAML,
            "two/dialer.yaml": _TWO_DIALER_YAML,
        },
    }

    def check(self, project) -> Iterator[Finding]:
        graph = project.graph
        with_files = {doc.cluster for doc in project.documents}
        for cluster in graph.clusters():
            for partition in graph.partitions(cluster):
                mesh = graph.mesh_config(cluster, partition)
                if mesh is None or not mesh.peers_through_gateways:
                    continue
                node = mesh.doc.spec.key("Peering") or mesh.peer_through  # the `peering` block's key
                if partition != "default":
                    yield self.report(
                        mesh.doc.at(node),
                        f'peerThroughMeshGateways is set in partition {partition!r}; it is only valid in the "default" partition, where Consul reads it for every partition\'s peerings',
                        fix="move the setting to the default partition's mesh entry",
                    )
                if not graph.gateways(cluster, partition) and gateways_known(graph, cluster):
                    yield self.report(
                        mesh.doc.at(node),
                        f'peerThroughMeshGateways is on but cluster {cluster!r} registers no mesh gateway here: Consul fails peering with "servers are configured to PeerThroughMeshGateways, but no mesh gateway instances are registered"',
                        fix="register a mesh gateway in this partition, or turn peerThroughMeshGateways off",
                    )
                seen: set[str] = set()
                for peering in graph.peers_of(cluster, partition):
                    remote = peering.remote_cluster
                    if remote is None or remote in seen or remote not in with_files:
                        continue
                    seen.add(remote)
                    other = graph.mesh_config(remote, peering.remote_partition or "default")
                    if other is not None and other.peers_through_gateways:
                        continue
                    related = (
                        [
                            (
                                other.doc.at(other.peering_block or other.peer_through),
                                f"{remote}'s mesh entry leaves it off",
                            )
                        ]
                        if other is not None
                        else []
                    )
                    if peering.doc is not None:
                        related.append((peering.doc.at(peering.node), f"the peering with {peering.peer_name}"))
                    yield self.report(
                        mesh.doc.at(node),
                        f"peerThroughMeshGateways is on in {cluster!r} but not in its peer {remote!r}: only one side sends the peering control plane through mesh gateways, so the other still dials servers directly",
                        related=related,
                        fix=f"set peerThroughMeshGateways = true in {remote}'s mesh entry too (or turn it off on both sides)",
                    )
