"""PL105: names Consul or consul-k8s refuses (entry names, peer names, datacenters)."""

from __future__ import annotations

from typing import Iterator

from linter.api import Document, Finding, Mapping, Node, Rule
from linter.api import validation as v

#: Where a peer name is written, per kind: (label, node) pairs to judge.
PEER_FIELDS = (
    "exported-services",
    "ExportedServices",
    "service-intentions",
    "ServiceIntentions",
    "service-resolver",
    "ServiceResolver",
    "sameness-group",
    "SamenessGroup",
    "service-defaults",
    "ServiceDefaults",
    "service-definition",
)

#: Kinds whose peer fields Consul checks for ``*`` itself (PL107 reports those): exports
#: refuse exactly "*", intentions any value containing "*".
WILDCARD_CHECKED = {
    "exported-services": "exact",
    "ExportedServices": "exact",
    "service-intentions": "contains",
    "ServiceIntentions": "contains",
}


def _peer_nodes(doc: Document) -> Iterator[Node | None]:
    """Every value in ``doc`` that names a peer."""
    kind = doc.kind
    if kind in ("exported-services", "ExportedServices"):
        for _i, _j, _service, consumer in v.exported_consumers(doc):
            yield consumer.get("Peer", "PeerName")
    elif kind in ("service-intentions", "ServiceIntentions"):
        for _i, source in v.intention_sources(doc):
            yield source.get("Peer")
    elif kind in ("service-resolver", "ServiceResolver"):
        for _label, target in v.resolver_targets(doc):
            yield target.get("Peer")
    elif kind in ("sameness-group", "SamenessGroup"):
        for _i, member in v.mappings(doc.spec.get("Members")):
            yield member.get("Peer")
    elif kind in ("service-defaults", "ServiceDefaults"):
        for _i, override in v.upstream_overrides(doc):
            yield override.get("Peer")
    elif kind == "service-definition":
        for _proxy, ups in v.upstreams(doc):
            for upstream in ups:
                yield upstream.get("destination_peer")


class InvalidName(Rule):
    code = "PL105"
    slug = "invalid-name"
    summary = "A name Consul refuses: exported-services/proxy-defaults/Mesh names, peer names, datacenter names"
    severity = "error"
    reads = ("config-entry", "crd", "agent-config", "service-definition")
    scope = "cluster"  # tests/test_rule_scopes.py
    doc = """
## What it does
Flags names Consul or consul-k8s rejects: an exported-services entry not named after its
partition (`default` in Consul CE), a proxy-defaults entry not named `global`, Mesh /
ProxyDefaults / ExportedServices custom resources with the wrong `metadata.name`, peer
names that break `^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$` (in consumers, intention
sources, upstream `destination_peer`, resolver targets, sameness-group members,
upstream overrides, PeeringAcceptor/PeeringDialer names), and agent `datacenter` /
`primary_datacenter` values outside `^[a-z0-9_-]+$`.

## Why is this bad?
Consul refuses the write (`exported-services Name must be "default"`,
`invalid name ("x"), only "global" is supported`, `datacenter can only contain lowercase
alphanumeric, - or _ characters`), the consul-k8s webhook refuses the resource
(`mesh resource name must be "mesh"`), and a peering can never be created with a name
like `DC_2`, so every reference to it matches nothing.

**Assumes** the cluster's edition for partition names: on Enterprise (explicit
`edition`, or inferred per cluster from Enterprise images, license, namespaces or
partitions) an exported-services entry is named after its partition; on CE only
`default` is accepted. When nothing in the repository says the edition, a partition name
is a warning that says the finding holds only on CE.

## References
- [Consul `agent/structs/config_entry_exports.go`: `ExportedServicesConfigEntry.Validate`](https://github.com/hashicorp/consul/blob/main/agent/structs/config_entry_exports.go)
- [Consul `agent/structs/config_entry_ce.go`: `validateExportedServicesName`](https://github.com/hashicorp/consul/blob/main/agent/structs/config_entry_ce.go)
- [Consul `agent/structs/config_entry.go`: proxy-defaults `ProxyConfigEntry.Validate`](https://github.com/hashicorp/consul/blob/main/agent/structs/config_entry.go)
- [Consul `agent/rpc/peering/validate.go`: peer names](https://github.com/hashicorp/consul/blob/main/agent/rpc/peering/validate.go)
- [Consul `agent/config/builder.go`: `builder.validate` (datacenter names)](https://github.com/hashicorp/consul/blob/main/agent/config/builder.go)
- [consul-k8s `control-plane/api/v1alpha1/mesh_webhook.go`: the Mesh name](https://github.com/hashicorp/consul-k8s/blob/main/control-plane/api/v1alpha1/mesh_webhook.go)
- [consul-k8s `control-plane/api/v1alpha1/proxydefaults_webhook.go`: the ProxyDefaults name](https://github.com/hashicorp/consul-k8s/blob/main/control-plane/api/v1alpha1/proxydefaults_webhook.go)
- [consul-k8s `control-plane/api/v1alpha1/exportedservices_webhook.go`: the ExportedServices name](https://github.com/hashicorp/consul-k8s/blob/main/control-plane/api/v1alpha1/exportedservices_webhook.go)
"""
    example = {
        "bad": {
            "exports.hcl": """\
Kind = "exported-services"
Name = "web-exports"
Services = [{ Name = "web", Consumers = [{ Peer = "DC_2" }] }]
""",
        },
        "good": {
            "exports.hcl": """\
Kind = "exported-services"
Name = "default"
Services = [{ Name = "web", Consumers = [{ Peer = "dc-2" }] }]
""",
        },
    }

    def check(self, project) -> Iterator[Finding]:
        yield from self._entry_names(project)
        yield from self._subsets(project)
        for doc in project.of(*PEER_FIELDS):
            for node in _peer_nodes(doc):
                problem = v.peer_name_problem(node, WILDCARD_CHECKED.get(doc.kind, ""))
                if problem:
                    yield self.report(
                        doc.at(node),
                        problem + " (no peering can have this name, so this reference never matches)",
                        fix=f'use the peering\'s name, e.g. "{v.suggest_peer_name(v.value(node) or "")}"',
                    )
        for doc in project.of("PeeringAcceptor", "PeeringDialer"):
            node = doc.name_node()
            problem = v.peer_name_problem(node) if doc.name else None
            if problem:
                yield self.report(
                    doc.at(node),
                    f"metadata.name is the Consul peer name: {problem}",
                    fix=f"metadata.name: {v.suggest_peer_name(doc.name or '')}",
                )
        for doc in project.of("agent-config"):
            for key in ("datacenter", "primary_datacenter"):
                node = doc.root.get(key)
                name = v.value(node)
                if name is None or (name == "" and key == "primary_datacenter"):
                    continue
                if name == "":
                    yield self.report(doc.at(node), "datacenter cannot be empty", fix='set datacenter, e.g. "dc1"')
                elif not v.DATACENTER_NAME.match(name.lower()):
                    yield self.report(
                        doc.at(node),
                        f'{key} can only contain lowercase alphanumeric, - or _ characters. received: "{name.lower()}"',
                        fix="use letters, digits, '-' and '_' only, e.g. \""
                        + (v.suggest_peer_name(name) or "dc1")
                        + '"',
                    )

    def _entry_names(self, project) -> Iterator[Finding]:
        for doc in project.of("exported-services", "ExportedServices"):
            edition = project.edition_of(doc)
            enterprise = edition.enterprise
            expected = v.known_partition(project, doc) if enterprise else "default"
            node = doc.name_node() if v.is_crd(doc) else doc.root.get("Name")
            name = v.value(node)
            if expected is None or node is None or name is None or name == expected:
                continue
            # On Enterprise the name is the partition's: "default" is required only on CE,
            # so when nothing says the edition the finding says what it depends on.
            caveat = f"; this holds only on Consul CE: {edition.why}" if edition.assumed else ""
            severity = "warning" if edition.assumed else None
            if v.is_crd(doc):
                msg = (
                    f'exportedservices resource name must be the same name as the partition, "{expected}"'
                    if enterprise
                    else 'exportedservices resource name must be "default"'
                )
                yield self.report(
                    doc.at(node),
                    v.crd_error(doc, "name", msg, node) + caveat,
                    fix=f"metadata.name: {expected}",
                    severity=severity,
                )
            else:
                yield self.report(
                    doc.at(node),
                    f'exported-services Name must be "{expected}"'
                    + ("" if enterprise else " (Consul CE has only the default partition)")
                    + caveat,
                    fix=f'Name = "{expected}" (the name of the partition whose services it exports)',
                    severity=severity,
                )
        for doc in project.of("proxy-defaults"):
            node = doc.root.get("Name")
            if v.value(node) not in (None, "", "global"):
                yield self.report(
                    doc.at(node), f'invalid name ("{v.value(node)}"), only "global" is supported', fix='Name = "global"'
                )
        for kind, expected, kube in (("ProxyDefaults", "global", "proxydefaults"), ("Mesh", "mesh", "mesh")):
            for doc in project.of(kind):
                if doc.name is not None and doc.name != expected:
                    yield self.report(
                        doc.at(doc.name_node()),
                        f'{kube} resource name must be "{expected}"',
                        fix=f"metadata.name: {expected}",
                    )

    def _subsets(self, project) -> Iterator[Finding]:
        """consul-k8s checks ServiceResolver subset names (Consul's own rule is not in
        the reference, so config entries are left alone)."""
        for doc in project.of("ServiceResolver"):
            for key, _body in (v.child(doc.spec, "subsets") or Mapping([], doc.spec.span)).items():
                name = str(key.value)
                if name and not v.SUBSET_NAME.match(name):
                    yield self.report(
                        doc.at(key),
                        v.crd_error(doc, "spec.subsets", v.SUBSET_NAME_HELP, key),
                        fix=f"rename the subset, e.g. {v.suggest_peer_name(name)}",
                    )
