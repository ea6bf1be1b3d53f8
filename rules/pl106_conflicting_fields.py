"""PL106: fields Consul or consul-k8s refuses to see set together."""

from __future__ import annotations

from typing import Iterator

from linter.api import Document, Finding, Rule
from linter.api import validation as v
from linter.api.schema import shape_findings

CONSUMER_FIELDS = ("Peer", "Partition", "SamenessGroup")


class ConflictingFields(Rule):
    code = "PL106"
    slug = "conflicting-fields"
    summary = "Fields that may not be set together (consumer Peer/Partition/SamenessGroup, destination_peer + datacenter, ...)"
    severity = "error"
    reads = (
        "exported-services",
        "ExportedServices",
        "service-intentions",
        "ServiceIntentions",
        "service-resolver",
        "ServiceResolver",
        "ServiceDefaults",
        "SamenessGroup",
        "service-definition",
        "documents",  # the constraint layer's conflicts: any document with a schema
    )
    scope = "cluster"  # tests/test_rule_scopes.py
    work_group = "schemacheck"  # shares the per-document schema check (linter.schemacheck): one process runs the group
    doc = """
## What it does
Flags fields that Consul's `Validate()` or the consul-k8s webhook refuse to see together:
an exported-services consumer with more than one of `Peer`, `Partition`,
`SamenessGroup`; an upstream with both `destination_peer` and `datacenter`, or with both
`local_bind_port` and `local_bind_socket_path`; an intention source with `Peer` and
`Partition` (or a sameness group with either), `Action` next to `Permissions`, several
HTTP path or header matchers in one permission; service-resolver redirects and failover
targets mixing `Peer` with `Datacenter`, `Partition` or `ServiceSubset`, `Targets` with
the older failover fields, `Redirect` with `Failover`; ServiceDefaults overrides with
`peer` and `namespace`/`partition`; sameness-group members with `peer` and `partition`;
service-router routes (entries and ServiceRouter resources) with more than one path
matcher, or a header or query parameter with more than one matcher.
The finding points at the key written second.

Beyond the decoder's shape it reports fields Consul's `Validate()` refuses together wherever Consul, the agent's config
builder, the ACL rule parser or a consul-k8s webhook checks it after decoding (the
constraint layer, `linter/constraints/`), in their own words: service definitions,
config entries, agent files, ACL rules and custom resources, each family held to
cases transcribed from Consul's and consul-k8s's own Go tests (`tests/conformance/`;
the README's *Conformance with Consul's own tests* lists what is and is not checked).

## Why is this bad?
The write is refused (`Services[0].Consumers[0]: must define at most one of Peer,
Partition, or SamenessGroup`, `upstream cannot specify both destination peer and
datacenter`, ...). A peer already names a whole remote cluster, so a datacenter or
partition next to it has no meaning.

**Assumes** the cluster's edition: on Enterprise (explicit or inferred per cluster) a
consumer or intention source may also name a partition or namespace, so the set of
fields that conflict is wider than on CE.

## References
- [Consul `agent/structs/config_entry_exports.go`: `ExportedServicesConfigEntry.Validate`](https://github.com/hashicorp/consul/blob/main/agent/structs/config_entry_exports.go)
- [Consul `agent/structs/config_entry_intentions.go`: `ServiceIntentionsConfigEntry.Validate`](https://github.com/hashicorp/consul/blob/main/agent/structs/config_entry_intentions.go)
- [Consul `agent/structs/config_entry_discoverychain.go`: discovery chain entries' `Validate`](https://github.com/hashicorp/consul/blob/main/agent/structs/config_entry_discoverychain.go)
- [Consul `agent/structs/connect_proxy_config.go`: `Upstream.Validate`](https://github.com/hashicorp/consul/blob/main/agent/structs/connect_proxy_config.go)
- [consul-k8s `control-plane/api/v1alpha1`: each kind's `Validate` in `*_types.go`](https://github.com/hashicorp/consul-k8s/tree/main/control-plane/api/v1alpha1)
"""
    example = {
        "bad": {
            "web.hcl": """\
service {
  name = "web"
  port = 8080
  connect { sidecar_service { proxy { upstreams = [
    { destination_name = "api", destination_peer = "dc2", datacenter = "dc2", local_bind_port = 9191 }
  ] } } }
}
""",
        },
        "good": {
            "web.hcl": """\
service {
  name = "web"
  port = 8080
  connect { sidecar_service { proxy { upstreams = [
    { destination_name = "api", destination_peer = "dc2", local_bind_port = 9191 }
  ] } } }
}
""",
        },
    }

    def check(self, project) -> Iterator[Finding]:
        # the constraint layer's conflicts (linter.constraints), found in the schema walk
        yield from shape_findings(self, project, "conflict")
        for doc in project.of("exported-services", "ExportedServices"):
            yield from self._consumers(doc, project.edition_of(doc).enterprise)
        for doc in project.of("service-intentions", "ServiceIntentions"):
            for node, msg, fix in v.intention_conflicts(doc, project.edition_of(doc).enterprise):
                yield self.report(doc.at(node), msg, fix=fix)
        for doc in project.of("service-resolver", "ServiceResolver"):
            for node, msg, fix in v.resolver_conflicts(doc):
                yield self.report(doc.at(node), msg, fix=fix)
        for doc in project.of("ServiceDefaults"):
            for i, override in v.upstream_overrides(doc):
                for other in ("namespace", "partition"):
                    node = v.pair(override, "peer", other)
                    if node is not None:
                        msg = v.crd_error(
                            doc,
                            f"spec.upstreamConfig.overrides[{i}]",
                            f"both {other} and peer cannot be specified.",
                            override,
                        )
                        yield self.report(
                            doc.at(node), msg, fix=f"remove {other}: a peer override names the peer's service only"
                        )
        for doc in project.of("SamenessGroup"):
            for i, member in v.mappings(doc.spec.get("members")):
                node = v.pair(member, "partition", "peer")
                if node is not None:
                    msg = v.crd_error(
                        doc,
                        f"spec.members[{i}]",
                        "sameness group members cannot specify both partition and peer in the same entry",
                        member,
                    )
                    yield self.report(doc.at(node), msg, fix="list the partition and the peer as two members")
        for doc in project.of("service-definition"):
            yield from self._service(doc)

    def _consumers(self, doc: Document, enterprise: bool) -> Iterator[Finding]:
        crd = v.is_crd(doc)
        # CE refuses a consumer's SamenessGroup first (PL109); the webhook never looks.
        fields = CONSUMER_FIELDS if crd or enterprise else CONSUMER_FIELDS[:2]
        for i, j, _service, consumer in v.exported_consumers(doc):
            keys = v.set_keys(consumer, *fields)
            if len(keys) < 2:
                continue
            node = v.later(*(k for _, k in keys))
            path = v.consumer_path(doc, i, j)
            if crd:
                msg = v.crd_error(
                    doc, path, "service consumer must define at most one of Peer, Partition, or SamenessGroup", consumer
                )
            else:
                msg = f"{path}: must define at most one of Peer, Partition, or SamenessGroup"
            names = " and ".join(name for name, _ in keys)
            yield self.report(
                doc.at(node),
                msg,
                fix=f"a consumer is one peer, partition or sameness group: split {names} into separate consumers",
            )

    def _service(self, doc: Document) -> Iterator[Finding]:
        name = v.value(doc.root.get("name")) or v.value(doc.root.get("id")) or ""
        prefix = f'service "{name}": '
        node = v.pair(doc.root, "address", "socket_path") or v.pair(doc.root, "port", "socket_path")
        if node is not None:
            yield self.report(
                doc.at(node),
                f"service {name} cannot have both socket path {v.value(doc.root.get('socket_path'))} and address/port",
                fix="register the service on a unix socket or on address/port, not both",
            )
        own_partition = v.value(doc.root.get("partition")) or "default"
        for _proxy, ups in v.upstreams(doc):
            for upstream in ups:
                node = v.pair(upstream, "destination_peer", "datacenter")
                if node is not None:
                    yield self.report(
                        doc.at(node),
                        prefix + "upstream cannot specify both destination peer and datacenter",
                        fix="remove datacenter: destination_peer already names the remote cluster",
                    )
                node = v.pair(upstream, "local_bind_port", "local_bind_socket_path")
                if node is not None:
                    yield self.report(
                        doc.at(node),
                        prefix + "only one of upstream local bind port or local socket path can be defined and nonzero",
                        fix="keep either local_bind_port or local_bind_socket_path",
                    )
                partition = upstream.get("destination_partition")
                if (
                    v.is_set(upstream.get("destination_peer"))
                    and v.is_set(partition)
                    and v.value(partition) != own_partition
                ):
                    yield self.report(
                        doc.at(partition),
                        prefix + "upstreams must target peers in the same partition as the service",
                        fix="remove destination_partition: a peered upstream is imported into the service's own partition",
                    )
