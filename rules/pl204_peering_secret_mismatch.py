"""PL204: a PeeringDialer reads a token secret name/key its PeeringAcceptor never writes."""

from __future__ import annotations

from typing import Iterator

from linter.api import Finding, Rule, text

#: cluster-01/values.yaml, the same in the bad and the good example
_CLUSTER_01_VALUES_YAML = """\
global:
  peering:
    enabled: true
meshGateway:
  enabled: true
"""
#: cluster-02/values.yaml, the same in the bad and the good example
_CLUSTER_02_VALUES_YAML = """\
global:
  peering:
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


class PeeringSecretMismatch(Rule):
    code = "PL204"
    slug = "peering-secret-mismatch"
    summary = "PeeringDialer reads a secret name/key that its PeeringAcceptor never writes"
    severity = "error"
    reads = ("graph",)
    scope = "peers"
    doc = """
## What it does
Pairs each PeeringDialer with the PeeringAcceptor on the peer cluster (by their names)
and flags the dialer's `spec.peer.secret.name` or `spec.peer.secret.key` when it differs
from what the acceptor writes.

## Why is this bad?
The acceptor's controller writes the token into a Kubernetes Secret named
`spec.peer.secret.name`, under the key `spec.peer.secret.key`. The secret is copied to
the dialing cluster as is, and the dialer reads `Data[secret.key]` of the Secret
`secret.name`: with another name it reports `PeeringDialer spec.peer.secret does not
exist`; with another key it reads an empty token, which Consul rejects at `Establish`.

**Assumes** both the PeeringAcceptor and its PeeringDialer are in the repository and
pair up. With no `[clusters]` in peerlint.toml the clusters are inferred from the
layout; where that is a guess (see `peerlint init`), an error of this rule is reported
as a warning that says what it rests on.

## References
- [consul-k8s `control-plane/connect-inject/controllers/peering/peering_acceptor_controller.go`: `createSecret`](https://github.com/hashicorp/consul-k8s/blob/main/control-plane/connect-inject/controllers/peering/peering_acceptor_controller.go)
- [consul-k8s `control-plane/connect-inject/controllers/peering/peering_dialer_controller.go`: the PeeringDialer controller](https://github.com/hashicorp/consul-k8s/blob/main/control-plane/connect-inject/controllers/peering/peering_dialer_controller.go)
"""
    example = {
        "bad": {
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
      key: token
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
        for dialer in project.graph.peerings():
            acceptor = dialer.partner
            if dialer.role != "dialer" or acceptor is None or dialer.doc is None or acceptor.doc is None:
                continue
            for what, mine, theirs in (
                ("name", dialer.secret_name, acceptor.secret_name),
                ("key", dialer.secret_key, acceptor.secret_key),
            ):
                want, got = text(theirs), text(mine)
                if want is None or got is None or want == got:
                    continue
                consequence = (
                    'the dialer reports "PeeringDialer spec.peer.secret does not exist"'
                    if what == "name"
                    else "the dialer reads an empty token and Consul rejects Establish"
                )
                yield self.report(
                    dialer.doc.at(mine),
                    f"PeeringDialer {dialer.peer_name!r} reads secret {what} {got!r}, but PeeringAcceptor "
                    f"{acceptor.peer_name!r} in cluster {acceptor.cluster!r} writes the token under {what} {want!r}; {consequence}",
                    related=[(acceptor.doc.at(theirs), f"the secret {what} the acceptor writes")],
                    fix=f"set spec.peer.secret.{what}: {want}",
                )
