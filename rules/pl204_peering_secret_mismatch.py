"""PL204: a PeeringDialer reads a token secret name/key its PeeringAcceptor never writes."""
from __future__ import annotations

from typing import Iterator

from linter.api import Finding, Rule, text


class PeeringSecretMismatch(Rule):
    code = "PL204"
    slug = "peering-secret-mismatch"
    summary = "PeeringDialer reads a secret name/key that its PeeringAcceptor never writes"
    severity = "error"
    reads = ("graph",)
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

## Example
```yaml
# cluster-01: PeeringAcceptor cluster-02 writes secret peering-token, key data
# cluster-02:
kind: PeeringDialer
metadata: {name: cluster-01}
spec: {peer: {secret: {name: peering-token, key: token, backend: kubernetes}}}
```

## Use instead
```yaml
spec: {peer: {secret: {name: peering-token, key: data, backend: kubernetes}}}
```

## References
- consul-k8s `peering_acceptor_controller.go` (`createSecret`), `peering_dialer_controller.go`
"""
    _cr = "apiVersion: consul.hashicorp.com/v1alpha1\nkind: {kind}\nmetadata:\n  name: {name}\nspec:\n  peer:\n    secret:\n      name: peering-token\n      key: {key}\n      backend: kubernetes\n"
    _values = "global:\n  peering:\n    enabled: true\nmeshGateway:\n  enabled: true\n"
    example = {
        "bad": {
            "cluster-01/values.yaml": _values, "cluster-02/values.yaml": _values,
            "cluster-01/acceptor.yaml": _cr.format(kind="PeeringAcceptor", name="cluster-02", key="data"),
            "cluster-02/dialer.yaml": _cr.format(kind="PeeringDialer", name="cluster-01", key="token"),
        },
        "good": {
            "cluster-01/values.yaml": _values, "cluster-02/values.yaml": _values,
            "cluster-01/acceptor.yaml": _cr.format(kind="PeeringAcceptor", name="cluster-02", key="data"),
            "cluster-02/dialer.yaml": _cr.format(kind="PeeringDialer", name="cluster-01", key="data"),
        },
    }

    def check(self, project) -> Iterator[Finding]:
        for dialer in project.graph.peerings():
            acceptor = dialer.partner
            if dialer.role != "dialer" or acceptor is None or dialer.doc is None or acceptor.doc is None:
                continue
            for what, mine, theirs in (("name", dialer.secret_name, acceptor.secret_name), ("key", dialer.secret_key, acceptor.secret_key)):
                want, got = text(theirs), text(mine)
                if want is None or got is None or want == got:
                    continue
                consequence = (
                    "the dialer reports \"PeeringDialer spec.peer.secret does not exist\""
                    if what == "name" else "the dialer reads an empty token and Consul rejects Establish"
                )
                yield self.report(
                    dialer.doc.at(mine),
                    f"PeeringDialer {dialer.peer_name!r} reads secret {what} {got!r}, but PeeringAcceptor "
                    f"{acceptor.peer_name!r} in cluster {acceptor.cluster!r} writes the token under {what} {want!r}; {consequence}",
                    related=[(acceptor.doc.at(theirs), f"the secret {what} the acceptor writes")],
                    fix=f"set spec.peer.secret.{what}: {want}",
                )
