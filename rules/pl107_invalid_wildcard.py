"""PL107: ``*`` where Consul or consul-k8s refuses a wildcard."""

from __future__ import annotations

from typing import Iterator

from linter.api import Document, Finding, Node, Rule
from linter.api import validation as v

STAR = v.WILDCARD
#: exported-services consumer field -> what exporting to "*" would mean.
CONSUMER_WILDCARDS = (("Partition", "partitions"), ("Peer", "peers"), ("SamenessGroup", "sameness groups"))
#: intention source field -> (Consul's wording, consul-k8s's wording).
SOURCE_WILDCARDS = (
    ("Partition", "partition", "partition"),
    ("Peer", "peer", "peer"),
    ("SamenessGroup", "sameness group", "samenessgroup"),
)


def _has_star(node: Node | None) -> bool:
    return STAR in (v.value(node) or "")


def _partial(node: Node | None) -> bool:
    name = v.value(node) or ""
    return STAR in name and name != STAR


class InvalidWildcard(Rule):
    code = "PL107"
    slug = "invalid-wildcard"
    summary = "A '*' where Consul rejects it: Peer/Partition '*', partial wildcards, exact names under a '*' namespace"
    severity = "error"
    reads = (
        "exported-services",
        "ExportedServices",
        "service-intentions",
        "ServiceIntentions",
        "service-defaults",
        "service-definition",
    )
    scope = "cluster"  # tests/test_rule_scopes.py
    doc = """
## What it does
Flags `*` where Consul or consul-k8s refuses it: an exported-services consumer `Peer`,
`Partition` or `samenessGroup` of `*`; a service namespace `*` with a non-wildcard name;
intention sources and destinations with partial wildcards (`web-*`), an exact name under
a `*` namespace, `*` in a source's `Peer`, `Partition` or `SamenessGroup`; `Permissions`
on an intention whose destination is `*`; a service-defaults entry or upstream override
named `*`; an upstream `destination_name = "*"`.

## Why is this bad?
Consul refuses the write (`Services[0].Consumers[0]: exporting to all peers (wildcard) is
not supported`, `Sources[0].Name: wildcard character '*' cannot be used with partial
values`, ...). Exports and intentions must name each peer: a peer is a trust boundary.

**Assumes** the cluster's edition: wildcard rules for namespaces apply only on
Enterprise (explicit or inferred per cluster); peer and partition wildcards are refused
on every edition.

## References
- [Consul `agent/structs/config_entry_exports.go`: `ExportedServicesConfigEntry.Validate`](https://github.com/hashicorp/consul/blob/main/agent/structs/config_entry_exports.go)
- [Consul `agent/structs/config_entry_intentions.go`: `validateIntentionWildcards`](https://github.com/hashicorp/consul/blob/main/agent/structs/config_entry_intentions.go)
- [Consul `agent/structs/config_entry.go`: wildcard names](https://github.com/hashicorp/consul/blob/main/agent/structs/config_entry.go)
- [Consul `agent/structs/connect_proxy_config.go`: `Upstream.Validate`](https://github.com/hashicorp/consul/blob/main/agent/structs/connect_proxy_config.go)
- [consul-k8s `control-plane/api/v1alpha1/exportedservices_types.go`: `ExportedServices.Validate`](https://github.com/hashicorp/consul-k8s/blob/main/control-plane/api/v1alpha1/exportedservices_types.go)
- [consul-k8s `control-plane/api/v1alpha1/serviceintentions_types.go`: `ServiceIntentions.Validate`](https://github.com/hashicorp/consul-k8s/blob/main/control-plane/api/v1alpha1/serviceintentions_types.go)
"""
    example = {
        "bad": {
            "exports.hcl": """\
Kind = "exported-services"
Name = "default"
Services = [{ Name = "web", Consumers = [{ Peer = "*" }] }]
""",
        },
        "good": {
            "exports.hcl": """\
Kind = "exported-services"
Name = "default"
Services = [{ Name = "web", Consumers = [{ Peer = "dc2" }, { Peer = "dc3" }] }]
""",
        },
    }

    def check(self, project) -> Iterator[Finding]:
        for doc in project.of("exported-services", "ExportedServices"):
            yield from self._exports(doc, project.edition_of(doc).enterprise)
        for doc in project.of("service-intentions", "ServiceIntentions"):
            yield from self._intentions(doc, project.edition_of(doc).enterprise)
        for doc in project.of("service-defaults"):
            if v.value(doc.root.get("Name")) == STAR:
                yield self.report(
                    doc.at(doc.root.get("Name")),
                    "service-defaults name must be the name of a service, and not a wildcard",
                    fix="name the service; use proxy-defaults for settings that apply to every service",
                )
            for _i, override in v.upstream_overrides(doc):
                if v.value(override.get("Name")) == STAR:
                    yield self.report(
                        doc.at(override.get("Name")),
                        "error in upstream override for *: Wildcard name is not supported",
                        fix="name the upstream service; use UpstreamConfig.Defaults for every upstream",
                    )
        for doc in project.of("service-definition"):
            for _proxy, ups in v.upstreams(doc):
                for upstream in ups:
                    node = upstream.get("destination_name")
                    if v.value(node) == STAR:
                        yield self.report(
                            doc.at(node),
                            "upstream destination name cannot be a wildcard",
                            fix="name the upstream service",
                        )

    def _exports(self, doc: Document, enterprise: bool) -> Iterator[Finding]:
        crd = v.is_crd(doc)
        for i, service in v.exported_services(doc):
            namespace, name = service.get("Namespace"), service.get("Name")
            # CE normalizes Namespace to "" before this check; the webhook has none.
            if enterprise and not crd and v.value(namespace) == STAR and v.value(name) != STAR:
                yield self.report(
                    doc.at(name),
                    f"Services[{i}]: service name must be wildcard if namespace is wildcard",
                    related=[(doc.at(namespace), "the wildcard namespace")],
                    fix='Name = "*" to export every service of every namespace, or name the namespace',
                )
        for i, j, _service, consumer in v.exported_consumers(doc):
            for field, what in CONSUMER_WILDCARDS:
                node = consumer.get(field)
                if v.value(node) != STAR or (field == "SamenessGroup" and not crd):
                    continue  # Consul and the webhook compare with "*" exactly
                msg = f"exporting to all {what} (wildcard) is not supported"
                path = v.consumer_path(doc, i, j)
                text = v.crd_error(doc, f"{path}.{field.lower()}", msg, node) if crd else f"{path}: {msg}"
                yield self.report(doc.at(node), text, fix=f"list each {what[:-1]} as its own consumer")

    def _intentions(self, doc: Document, enterprise: bool) -> Iterator[Finding]:
        crd = v.is_crd(doc)
        dest, dest_ns = v.intention_destination(doc)
        prefix = "spec.destination." if crd else ""
        yield from self._names(doc, prefix, dest, dest_ns, enterprise)
        for i, source in v.intention_sources(doc):
            base = v.source_path(doc, i)
            yield from self._names(doc, f"{base}.", source.get("Name"), source.get("Namespace"), enterprise)
            for field, consul_word, k8s_word in SOURCE_WILDCARDS:
                node = source.get(field)
                if not _has_star(node) or (not crd and not enterprise and field != "Peer"):
                    continue  # CE refuses Partition and SamenessGroup keys first (PL109)
                if crd:
                    text = v.crd_error(
                        doc,
                        f"{base}.{field[0].lower() + field[1:]}",
                        f"{k8s_word} cannot use or contain wildcard '*'",
                        node,
                    )
                else:
                    text = f"{base}.{field}: cannot use wildcard '*' in {consul_word}"
                yield self.report(doc.at(node), text, fix=f"name one {consul_word}; add a source per {consul_word}")
            perms = source.entry("Permissions")
            if perms is not None and v.truthy(perms[1]) and STAR in (v.value(dest), v.value(dest_ns)):
                yield self.report(
                    doc.at(perms[0]),
                    f"{base}.Permissions cannot be specified on intentions with wildcarded destinations",
                    related=[(doc.at(dest if v.value(dest) == STAR else dest_ns), "the wildcard destination")],
                    fix='use Action = "allow"/"deny" here, or write the permissions on each destination service',
                )

    def _names(
        self, doc: Document, prefix: str, name: Node | None, namespace: Node | None, enterprise: bool
    ) -> Iterator[Finding]:
        """validateIntentionWildcards for one (name, namespace) pair."""
        if enterprise and _partial(namespace):
            yield self.report(
                doc.at(namespace),
                f"{prefix}Namespace: wildcard character '*' cannot be used with partial values",
                fix='use "*" or an exact namespace',
            )
        if _partial(name):
            yield self.report(
                doc.at(name),
                f"{prefix}Name: wildcard character '*' cannot be used with partial values",
                fix='intentions match exact names or "*" only: list each service, or use "*"',
            )
        elif enterprise and v.value(namespace) == STAR and v.is_set(name) and v.value(name) != STAR:
            yield self.report(
                doc.at(name),
                f"{prefix}Name: exact value cannot follow wildcard namespace",
                related=[(doc.at(namespace), "the wildcard namespace")],
                fix='use Name = "*" or name the namespace',
            )
