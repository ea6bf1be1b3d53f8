"""PL202: a peer name used where no peering of that cluster/partition declares it."""

from __future__ import annotations

from typing import Iterator

from linter.api import Finding, Rule
from linter.api.validation import did_you_mean

#: acceptor.yaml, the same in the bad and the good example
_ACCEPTOR_YAML = """\
apiVersion: consul.hashicorp.com/v1alpha1
kind: PeeringAcceptor
metadata:
  name: cluster-02
spec:
  peer:
    secret: {name: peering-token, key: data, backend: kubernetes}
"""


class UnknownPeer(Rule):
    code = "PL202"
    slug = "unknown-peer"
    summary = "A peer name that no peering of this cluster/partition declares"
    severity = "error"
    reads = ("graph",)
    scope = "peers"
    doc = """
## What it does
Flags every peer name used in a cluster (an exported-services consumer `Peer`, an
intention source `Peer`, an upstream `destination_peer` or `.peer` annotation, a
service-resolver redirect or failover target `Peer`, a sameness-group member `Peer`, a
service-defaults upstream override `Peer`) that no peering of that cluster and partition
declares: no PeeringAcceptor/PeeringDialer of that name there, no `[[peerings]]` entry.
Only clusters whose peerings the repo declares are checked.

## Why is this bad?
A peer name is local to the cluster that created the peering. Consul matches an export
consumer only when `consumer.Peer == peering.Name`, so a name that is not a peering of
this partition exports to nobody, allows nobody and routes nowhere, silently.

**Assumes** the cluster's peerings are declared in the repository (peering CRs or
`[[peerings]]`); when they are not (peered with the CLI), peer names are not judged.
With no `[clusters]` in peerlint.toml the clusters are inferred from the layout; where
that is a guess (see `peerlint init`), an error of this rule is reported as a warning
that says what it rests on.

## References
- [Consul `agent/consul/state/peering.go`: `exportedServicesForPeerTxn`](https://github.com/hashicorp/consul/blob/main/agent/consul/state/peering.go)
- [Consul docs: Establish cluster peering connections on Kubernetes (`metadata.name` of PeeringAcceptor/PeeringDialer is the local peer name)](https://developer.hashicorp.com/consul/docs/east-west/cluster-peering/establish/k8s)
"""
    example = {
        "bad": {
            "acceptor.yaml": _ACCEPTOR_YAML,
            "exports.yaml": """\
apiVersion: consul.hashicorp.com/v1alpha1
kind: ExportedServices
metadata:
  name: default
spec:
  services:
    - name: backend
      consumers:
        - peer: cluster-2
""",
        },
        "good": {
            "acceptor.yaml": _ACCEPTOR_YAML,
            "exports.yaml": """\
apiVersion: consul.hashicorp.com/v1alpha1
kind: ExportedServices
metadata:
  name: default
spec:
  services:
    - name: backend
      consumers:
        - peer: cluster-02
""",
        },
    }

    def check(self, project) -> Iterator[Finding]:
        topo = project.graph
        for ref in topo.peer_references():
            if not topo.peerings_known(ref.cluster) or ref.name == "*":
                continue  # unknown peerings: silent; "*" is PL107's
            if topo.resolve_peer(ref.cluster, ref.partition, ref.name) is not None:
                continue
            declared = topo.peers_of(ref.cluster, ref.partition)
            names = sorted({p.peer_name for p in declared})
            hint = did_you_mean(ref.name, names)
            where = f"cluster {ref.cluster!r}" + (f" partition {ref.partition!r}" if ref.partition != "default" else "")
            known = f"; its peers are {', '.join(names)}" if names else "; it declares no peering"
            message = f"{ref.context} names peer {ref.name!r}, but {where} has no peering of that name{known}"
            if ref.context == "export consumer":
                message += "; Consul exports to no one"
            elif ref.context == "intention source":
                message += "; the intention matches no one"
            else:
                message += "; Consul cannot resolve the target"
            fix = (
                f"use peer {hint!r}"
                if hint
                else "use the name of a PeeringAcceptor/PeeringDialer of this cluster, or declare the peering ([[peerings]] for CLI peerings)"
            )
            yield self.report(
                ref.doc.at(ref.node),
                message,
                related=[(p, f"peering {p.peer_name!r} of {where}") for p in declared[:3]],
                fix=fix,
            )
