"""PL602: Helm values for WAN federation that the chart refuses, and secondaries the
chart installs but that can never join their primary."""

from __future__ import annotations

from typing import Iterator

from linter.api import HELM_VALUES, Finding, Mapping, Rule, helm
from linter.api.helm import HelmValues, project_installs, truthy

PDC = "global.federation.primaryDatacenter"
PGW = "global.federation.primaryGateways"


class HelmFederationRequirements(Rule):
    code = "PL602"
    slug = "helm-federation-requirements"
    summary = "Helm values for WAN federation the chart fails on, or a secondary that cannot reach a primary"
    severity = "error"
    reads = (HELM_VALUES,)
    doc = """
## What it does
Applies the consul chart's `fail` conditions for `global.federation` (TLS and mesh
gateways required, admin partitions excluded, `createFederationSecret` needs federation
and, with managed ACLs, a replication token) to each cluster's merged values, and the
checks the chart leaves out: a secondary (it sets `primaryGateways` or
`k8sAuthMethodHost`, or another install is the primary) without
`global.federation.primaryDatacenter`; a secondary without `primaryGateways`; and a
`primaryDatacenter` that names none of the primaries installed by the project's values.
Secondaries that load the federation secret's `serverConfigJSON` through
`server.extraVolumes`, or set the keys in `server.extraConfig`, get the settings from
there and are left alone.

## Why is this bad?
The chart fails the install. Without `primaryDatacenter` the chart renders
`"primary_datacenter": ""` and the datacenter acts as its own primary (two primaries
never federate); without `primaryGateways` the servers have no address to dial.

**Assumes** the consul chart's `fail` conditions for federation; a secondary's primary
must be in the repository to be judged unreachable.

## References
- [consul-k8s `charts/consul/templates/server-statefulset.yaml`](https://github.com/hashicorp/consul-k8s/blob/main/charts/consul/templates/server-statefulset.yaml)
- [consul-k8s `charts/consul/templates/create-federation-secret-job.yaml`](https://github.com/hashicorp/consul-k8s/blob/main/charts/consul/templates/create-federation-secret-job.yaml)
- [consul-k8s `charts/consul/templates/server-config-configmap.yaml`](https://github.com/hashicorp/consul-k8s/blob/main/charts/consul/templates/server-config-configmap.yaml)
- [Consul docs: WAN federation between Kubernetes clusters through mesh gateways](https://developer.hashicorp.com/consul/docs/east-west/wan-federation/k8s)
- [Consul docs: WAN federation on Kubernetes overview](https://developer.hashicorp.com/consul/docs/east-west/wan-federation)
"""
    example = {
        "bad": {
            "values.yaml": """\
global:
  datacenter: dc2
  tls: {enabled: true}
  federation:
    enabled: true
    primaryDatacenter: dc1
meshGateway: {enabled: true}
""",
        },
        "good": {
            "values.yaml": """\
global:
  datacenter: dc2
  tls: {enabled: true}
  federation:
    enabled: true
    primaryDatacenter: dc1
    primaryGateways: ["198.51.100.10:443"]
meshGateway: {enabled: true}
""",
        },
    }

    def check(self, project) -> Iterator[Finding]:
        installs = project_installs(project)
        for values in installs:
            for fail, message, doc, node, related in helm.chart_failures(values, {"federation"}):
                yield self.report(doc.at(node), f"{message} ({fail.template})", related=related, fix=fail.fix)
        federated = [v for v in installs if v.truthy("global.federation.enabled")]
        primaries = [v for v in federated if _is_primary(v)]
        for values in federated:
            if _loads_server_config(values):
                continue
            yield from self._secondary(values, federated, primaries)

    def _secondary(
        self, values: HelmValues, federated: list[HelmValues], primaries: list[HelmValues]
    ) -> Iterator[Finding]:
        dc = values.value("global.datacenter")
        pdc = values.value(PDC)
        fed = values.setting("global.federation.enabled")
        if not pdc:
            evidence = next(
                (values.setting(p) for p in (PGW, "global.federation.k8sAuthMethodHost") if values.truthy(p)), None
            )
            others = [
                p
                for p in primaries
                if p is not values
                and p.value("global.datacenter") != dc
                and p.truthy("global.federation.createFederationSecret")
            ]
            if evidence is not None and "primary_datacenter" not in str(values.value("server.extraConfig") or ""):
                yield self.report(
                    evidence.doc.at(evidence.key),
                    'secondary datacenter without global.federation.primaryDatacenter: the chart renders "primary_datacenter": "" and the servers treat this datacenter as their own primary',
                    fix="set global.federation.primaryDatacenter to the primary's global.datacenter",
                )
            elif others and fed is not None:
                primary = others[0].setting("global.federation.createFederationSecret")
                yield self.report(
                    fed.doc.at(fed.node),
                    f"secondary datacenter {dc!r} without global.federation.primaryDatacenter while {others[0].value('global.datacenter')!r} is the primary: this datacenter becomes a second primary",
                    related=[(primary.doc.at(primary.node), "the primary creates the federation secret here")]
                    if primary
                    else [],
                    fix=f"set global.federation.primaryDatacenter: {others[0].value('global.datacenter')}",
                )
            return
        if pdc == dc:
            return
        node = values.setting(PDC)
        if (
            not values.truthy(PGW)
            and node is not None
            and "primary_gateways" not in str(values.value("server.extraConfig") or "")
        ):
            yield self.report(
                node.doc.at(node.node),
                f"secondary datacenter {dc!r} has no global.federation.primaryGateways: its servers have no mesh gateway address to reach primary {pdc!r}",
                fix="list the primary's mesh gateway addresses (ip:port) in global.federation.primaryGateways, or load the federation secret's serverConfigJSON",
            )
        known = {v.value("global.datacenter") for v in federated if v is not values}
        if known and pdc not in {p.value("global.datacenter") for p in primaries} and node is not None:
            related = [
                (p.anchor().at(_dc_node(p)), f"{p.value('global.datacenter')!r} is a primary") for p in primaries
            ]
            yield self.report(
                node.doc.at(node.node),
                f"global.federation.primaryDatacenter {pdc!r} names no primary datacenter of these values files (primaries: {', '.join(sorted(repr(p.value('global.datacenter')) for p in primaries)) or 'none'})",
                related=related,
                fix="set primaryDatacenter to the global.datacenter of the primary's values",
            )


def _is_primary(values: HelmValues) -> bool:
    pdc = values.value(PDC)
    return (not pdc and not values.truthy(PGW) and not _loads_server_config(values)) or pdc == values.value(
        "global.datacenter"
    )


def _dc_node(values: HelmValues):
    setting = values.setting("global.datacenter")
    return setting.node if setting else None


def _loads_server_config(values: HelmValues) -> bool:
    """``server.extraVolumes`` with ``load: true`` (the federation secret's
    serverConfigJSON carries primary_datacenter and primary_gateways)."""
    volumes = values.setting("server.extraVolumes")
    items = getattr(volumes.node, "items", []) if volumes else []
    return any(isinstance(item, Mapping) and truthy(item.get("load")) for item in items)
