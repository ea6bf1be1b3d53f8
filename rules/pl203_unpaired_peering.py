"""PL203: a PeeringAcceptor with no PeeringDialer on the peer cluster, or the reverse."""

from __future__ import annotations

from typing import Iterator

from linter.api import Finding, Rule

OTHER = {"acceptor": "PeeringDialer", "dialer": "PeeringAcceptor"}
SELF = {"acceptor": "PeeringAcceptor", "dialer": "PeeringDialer"}
#: the same sides written with Terraform's consul provider
TF_OTHER = {"acceptor": "consul_peering", "dialer": "consul_peering_token"}
TF_SELF = {"acceptor": "consul_peering_token", "dialer": "consul_peering"}


def _terraform(peering) -> bool:
    return peering.doc is not None and peering.doc.category == "terraform-peering"


#: cluster-01/values.yaml, the same in the bad and the good example
_CLUSTER_01_VALUES_YAML = """\
global:
  image: hashicorp/consul:1.16.0
  peering:
    enabled: true
  tls:
    enabled: true
meshGateway:
  enabled: true
"""
#: cluster-02/values.yaml, the same in the bad and the good example
_CLUSTER_02_VALUES_YAML = """\
global:
  image: hashicorp/consul:1.16.0
  peering:
    enabled: true
  tls:
    enabled: true
meshGateway:
  enabled: true
"""
#: cluster-01/acceptor.yaml, the same in the bad and the good example
_CLUSTER_01_ACCEPTOR_YAML = """\
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


class UnpairedPeering(Rule):
    code = "PL203"
    slug = "unpaired-peering"
    summary = "PeeringAcceptor without a matching PeeringDialer on the peer cluster (or the reverse), or both sides accepting/dialing"
    severity = "error"
    reads = ("graph",)
    scope = "peers"
    doc = """
## What it does
Flags a PeeringAcceptor whose peer cluster (in this repo, managed with consul-k8s CRs)
has no PeeringDialer for it, a PeeringDialer with no PeeringAcceptor on the other side,
and peerings where both sides accept or both sides dial. Silent when the peer cluster is
not in the repo, or when a `[[peerings]]` entry says the peering was made with the CLI.

## Why is this bad?
A peering exists only when one side generates a token (the acceptor's controller calls
`GenerateToken{PeerName: metadata.name}`) and the other establishes it with that token
(`Establish{PeerName: metadata.name}`). An acceptor alone waits forever in `PENDING`; a
dialer alone reports `PeeringDialer spec.peer.secret does not exist`. A name cannot be
both: `cannot create peering with name ...; there is an existing peering expecting to be
dialed`.

**Assumes** both sides of a Kubernetes peering are in the repository; a side whose
cluster has no files here is not judged. With no `[clusters]` in peerlint.toml the
clusters are inferred from the layout; where that is a guess (see `peerlint init`), an
error of this rule is reported as a warning that says what it rests on.

## References
- [consul-k8s `control-plane/connect-inject/controllers/peering/peering_acceptor_controller.go`: the PeeringAcceptor controller](https://github.com/hashicorp/consul-k8s/blob/main/control-plane/connect-inject/controllers/peering/peering_acceptor_controller.go)
- [consul-k8s `control-plane/connect-inject/controllers/peering/peering_dialer_controller.go`: the PeeringDialer controller](https://github.com/hashicorp/consul-k8s/blob/main/control-plane/connect-inject/controllers/peering/peering_dialer_controller.go)
- [Consul `agent/rpc/peering/service.go`: `GenerateToken`, `Establish`](https://github.com/hashicorp/consul/blob/main/agent/rpc/peering/service.go)
"""
    example = {
        "bad": {
            "cluster-01/values.yaml": _CLUSTER_01_VALUES_YAML,
            "cluster-02/values.yaml": _CLUSTER_02_VALUES_YAML,
            "cluster-01/acceptor.yaml": _CLUSTER_01_ACCEPTOR_YAML,
            "cluster-02/acceptor.yaml": """\
apiVersion: consul.hashicorp.com/v1alpha1
kind: PeeringAcceptor
metadata:
  name: cluster-01
spec:
  peer:
    secret:
      name: peering-token
      key: data
      backend: kubernetes
""",
        },
        "good": {
            "cluster-01/values.yaml": _CLUSTER_01_VALUES_YAML,
            "cluster-02/values.yaml": _CLUSTER_02_VALUES_YAML,
            "cluster-01/acceptor.yaml": _CLUSTER_01_ACCEPTOR_YAML,
            "cluster-02/dialer.yaml": """\
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
""",
        },
    }

    def check(self, project) -> Iterator[Finding]:
        topo = project.graph
        for peering in topo.peerings():
            if peering.role == "config" or peering.partner is not None or peering.remote_cluster is None:
                continue
            remote, remote_part = peering.remote_cluster, peering.remote_partition or "default"
            back = [p for p in topo.peers_of(remote, remote_part) if p.remote_cluster == peering.cluster]
            if any(p.role == "config" for p in back) or any(
                p.role == "config" and p.remote_cluster == remote
                for p in topo.peers_of(peering.cluster, peering.partition)
            ):
                continue  # the other side was made with the CLI
            same = [p for p in back if p.role == peering.role and p.partner is None]
            kind, other = (TF_SELF, TF_OTHER) if _terraform(peering) else (SELF, OTHER)
            kind, other = kind[peering.role], other[peering.role]
            if same:
                verb = "accept" if peering.role == "acceptor" else "dial"
                yield self.report(
                    peering,
                    f"both sides of the peering between {peering.cluster!r} and {remote!r} {verb}: a {kind} here and "
                    f"{kind} {same[0].peer_name!r} in {remote!r}; one side must generate the token and the other establish it",
                    related=[
                        (same[0], f"the {(TF_SELF if _terraform(same[0]) else SELF)[same[0].role]} in {remote!r}")
                    ],
                    fix=(
                        f"replace one of them with a {other} of the same peer_name whose peering_token is the other "
                        "side's consul_peering_token.<name>.peering_token"
                        if _terraform(peering)
                        else f"replace one of them with a {other} of the same name that reads the acceptor's token secret"
                    ),
                )
            elif not back and topo.manages_peerings_with_crs(remote):
                yield self.report(
                    peering,
                    f"{kind} {peering.peer_name!r} has no {other} in cluster {remote!r} for it; "
                    + (
                        "the token is generated but nobody establishes the peering"
                        if peering.role == "acceptor"
                        else "there is no token for it to read, the peering is never established"
                    ),
                    fix=(
                        f"add a {other} with peer_name = {topo.peer_name_of(peering.cluster)!r} for {remote!r}"
                        if _terraform(peering)
                        else f"add a {other} named {topo.peer_name_of(peering.cluster)!r} in {remote!r} with the same spec.peer.secret"
                    ),
                )
