"""PL601: Helm values the consul chart refuses with peering on, and peering features
newer than the installed Consul / consul-k8s."""

from __future__ import annotations

from typing import Iterator

from linter.api import HELM_VALUES, Document, Finding, Mapping, Node, Rule, helm, versions
from linter.api.helm import install_for, project_installs


class HelmPeeringRequirements(Rule):
    code = "PL601"
    slug = "helm-peering-requirements"
    summary = "Helm values the consul chart fails on (peering, mesh gateways, TLS, ACLs, partitions), or peering features newer than the installed version"
    severity = "error"
    reads = (HELM_VALUES, "Mesh", "mesh", "SamenessGroup", "sameness-group")
    doc = """
## What it does
Merges each cluster's Helm values files in order (see docs/k8s.md) and applies the
consul chart's own `fail` conditions for peering (`global.peering.enabled` needs
`connectInject.enabled`, `global.tls.enabled` and `meshGateway.enabled`) and for the
mesh gateway, TLS, ACL, external-server and admin-partition settings peering relies
on, with the chart's exact messages. The finding points at the file and key that set
the deciding value. It also flags `peerThroughMeshGateways` on Consul < 1.14 /
consul-k8s < 1.0.0 and sameness groups on Consul < 1.16 / consul-k8s < 1.2.0, reading
the version from `global.image` / `global.imageK8S` or `consul-version` /
`consul-k8s-version` in the configuration.

## Why is this bad?
`helm install` and `helm upgrade` stop at the first `fail`: nothing is installed.
A feature older versions do not know is dropped silently by the CRD schema or
rejected by Consul.

**Assumes** the consul chart's `fail` conditions of the chart peerlint's tables come
from, and the versions the values pin (`global.image`, `global.imageK8S`,
`consul-k8s-version`) for features newer than the installed release; with no version
pinned, version findings stay silent.

## References
- [consul-k8s `charts/consul/templates/connect-inject-deployment.yaml`](https://github.com/hashicorp/consul-k8s/blob/main/charts/consul/templates/connect-inject-deployment.yaml)
- [consul-k8s `charts/consul/templates/mesh-gateway-deployment.yaml`](https://github.com/hashicorp/consul-k8s/blob/main/charts/consul/templates/mesh-gateway-deployment.yaml)
- [consul-k8s `charts/consul/templates/server-acl-init-job.yaml`](https://github.com/hashicorp/consul-k8s/blob/main/charts/consul/templates/server-acl-init-job.yaml)
- [consul-k8s `charts/consul/templates/partition-init-job.yaml`](https://github.com/hashicorp/consul-k8s/blob/main/charts/consul/templates/partition-init-job.yaml)
- [consul-k8s CHANGELOG 1.0.0](https://github.com/hashicorp/consul-k8s/blob/main/CHANGELOG.md#100-november-17-2022)
- [consul-k8s CHANGELOG 1.2.0](https://github.com/hashicorp/consul-k8s/blob/main/CHANGELOG.md#120-june-28-2023)
"""
    example = {
        "bad": {
            "values.yaml": """\
global:
  peering:
    enabled: true
  tls:
    enabled: false
meshGateway:
  enabled: true
""",
        },
        "good": {
            "values.yaml": """\
global:
  peering:
    enabled: true
  tls:
    enabled: true
meshGateway:
  enabled: true
""",
        },
    }

    FEATURES = {
        "peer-through-mesh-gateways": "peerThroughMeshGateways",
        "sameness-groups": "a sameness group",
    }

    def check(self, project) -> Iterator[Finding]:
        for values in project_installs(project):
            for fail, message, doc, node, related in helm.chart_failures(values, {"federation"}, exclude=True):
                yield self.report(doc.at(node), f"{message} ({fail.template})", related=related, fix=fail.fix)
        yield from self._versions(project)

    def _versions(self, project) -> Iterator[Finding]:
        for doc in project.of("Mesh", "mesh", "SamenessGroup", "sameness-group"):
            feature, node = self._feature(doc)
            if node is None:
                continue
            consul, k8s, where = versions.installed(install_for(project, doc.cluster), project.config)
            need_consul, need_k8s = versions.MINIMUMS[feature]
            name = self.FEATURES[feature]
            for have, need, product in (
                (consul, need_consul, "Consul"),
                (k8s if doc.category == "crd" else None, need_k8s, "consul-k8s"),
            ):
                if versions.at_least(have, need) is False:
                    assert have is not None and need is not None
                    yield self.report(
                        doc.at(node),
                        f"{name} requires {product} {versions.show(need)} or newer; this cluster runs {product} {versions.show(have)}",
                        related=[w for w in where if w[1].startswith(product)],
                        fix=f"upgrade {product} to {versions.show(need)}+ or remove {name}",
                    )

    @staticmethod
    def _feature(doc: Document) -> tuple[str, Node | None]:
        if doc.kind in ("SamenessGroup", "sameness-group"):
            return "sameness-groups", doc.kind_node()
        peering = doc.spec.get("peering", "Peering")
        if isinstance(peering, Mapping):
            flag = peering.get("peerThroughMeshGateways")
            if getattr(flag, "value", None) is True:
                return "peer-through-mesh-gateways", flag
        return "", None
