"""PL108: duplicates Consul or consul-k8s rejects (or that silently overwrite)."""

from __future__ import annotations

from typing import Iterator

from linter.api import Document, Finding, Rule, as_list, schema
from linter.api import validation as v


class Duplicate(Rule):
    code = "PL108"
    slug = "duplicate"
    summary = "Duplicate intention sources, upstreams, HTTP methods, members, or a second Mesh/ProxyDefaults/ExportedServices for one partition"
    severity = "error"
    reads = (
        "config-entry",
        "crd",
        "service-definition",
        "helm-values",
    )  # Helm values: the webhook's namespaces and mirroring
    scope = "cluster"  # tests/test_rule_scopes.py
    doc = """
## What it does
Flags duplicates: two intention sources with one identity (name, namespace, partition,
peer, sameness group), an HTTP method listed twice, two upstreams of one service with one
identity or one local bind address and port (or socket), a sameness-group member listed
twice, a second `mesh` / `proxy-defaults` / `exported-services` for one partition in one
cluster (config entries or CRDs), two PeeringAcceptors or PeeringDialers in one namespace
writing the same secret, two ServiceIntentions for one destination, and two
ServiceDefaults / ServiceResolver / ServiceRouter / ServiceSplitter / SamenessGroup /
JWTProvider resources with one name in different namespaces.

Two files that describe the same Kubernetes object (same kind, name and namespace; an
unset namespace is the one a `kustomization.yaml` beside the file sets, else `default`)
are one object updated, not a duplicate: the webhooks' duplicate checks run on create
only, and a kustomize base and its overlay describe one object. Files a kustomization
names as patches are partial objects and are not read.

## Why is this bad?
Consul refuses the write (`Sources[1] defines peer("dc2") "web" more than once`,
`upstreams cannot contain duplicates by local bind address and port or unix path`), the
consul-k8s webhook refuses the second resource (`mesh resource already defined - only
one mesh entry is supported`), and two config entries for one partition overwrite each
other: whichever is written last wins, silently.

**Assumes** the webhook's enablement, from the cluster's Helm values: with Consul
namespaces on (`global.enableConsulNamespaces`) and mirrored
(`connectInject.consulNamespaces.mirroringK8S`, whose chart default turned true in
consul-k8s 1.0.0), each Kubernetes namespace writes its own Consul namespace, so names
may repeat across them and two ServiceIntentions clash only on one destination name and
namespace (an unset `spec.destination.namespace` is the mirroring prefix plus the
resource's Kubernetes namespace). Otherwise (namespaces off, not mirrored, or CE) every
resource writes into one Consul namespace and names must be unique across Kubernetes
namespaces. On an Enterprise cluster whose enablement the repository does not say, only
what both readings refuse is reported.

## References
- [Consul `agent/structs/config_entry_intentions.go`: `ServiceIntentionsConfigEntry.Validate`](https://github.com/hashicorp/consul/blob/main/agent/structs/config_entry_intentions.go)
- [Consul `agent/structs/structs.go`: `NodeService.Validate`](https://github.com/hashicorp/consul/blob/main/agent/structs/structs.go)
- [consul-k8s `control-plane/api/v1alpha1`: the kinds' `*_webhook.go`](https://github.com/hashicorp/consul-k8s/tree/main/control-plane/api/v1alpha1)
- [consul-k8s `control-plane/api/common/configentry_webhook.go`: `ValidateConfigEntry`](https://github.com/hashicorp/consul-k8s/blob/main/control-plane/api/common/configentry_webhook.go)
- [consul-k8s `control-plane/api/v1alpha1/serviceintentions_webhook.go`: `Handle`](https://github.com/hashicorp/consul-k8s/blob/main/control-plane/api/v1alpha1/serviceintentions_webhook.go)
"""
    example = {
        "bad": {
            "web.hcl": """\
Kind = "service-intentions"
Name = "web"
Sources = [
  { Name = "frontend", Peer = "dc2", Action = "allow" },
  { Name = "frontend", Peer = "dc2", Action = "deny" },
]
""",
        },
        "good": {
            "web.hcl": """\
Kind = "service-intentions"
Name = "web"
Sources = [
  { Name = "frontend", Peer = "dc2", Action = "allow" },
  { Name = "frontend", Action = "deny" },
]
""",
        },
    }

    def check(self, project) -> Iterator[Finding]:
        for doc in project.of("service-intentions", "ServiceIntentions"):
            yield from self._intention(doc)
        for doc in project.of("service-definition"):
            yield from self._upstreams(doc)
        for doc in project.of("SamenessGroup"):
            members = (
                (v.normalized(m), m.get("peer") or m.get("partition") or m)
                for _i, m in v.mappings(doc.spec.get("members"))
            )
            for node, first, _key in v.repeated(members):
                yield self.report(
                    doc.at(node),
                    v.crd_error(
                        doc, "spec.members", "sameness group members must be unique", node, kind="Duplicate value"
                    ),
                    related=[(doc.at(first), "listed first here")],
                    fix="remove the repeated member",
                )
        yield from self._singletons(project)
        yield from self._k8s_objects(project)

    def _intention(self, doc: Document) -> Iterator[Finding]:
        crd = v.is_crd(doc)
        sources = ((v.source_identity(s), s.get("Name") or s) for _i, s in v.intention_sources(doc))
        for node, first, (name, _ns, _part, peer, group) in v.repeated(sources):
            i = next((p for p in reversed(node.path) if isinstance(p, int)), 0)
            what = (
                f'peer("{peer}") "{name}"'
                if peer
                else (f'sameness-group("{group}") "{name}"' if group else f'"{name}"')
            )
            yield self.report(
                doc.at(node),
                f"Sources[{i}] defines {what} more than once",
                related=[(doc.at(first), "first defined here")],
                fix="merge the two sources into one (use Permissions for per-path rules)",
            )
        for i, source in v.intention_sources(doc):
            for j, perm in v.mappings(source.get("Permissions")):
                http = v.child(perm, "HTTP")
                items = (
                    ((v.value(m) or "").upper(), m)
                    for m in as_list(http.get("Methods") if http else None)
                    if v.value(m)
                )
                for node, first, method in v.repeated(items):
                    msg = (
                        v.crd_error(
                            doc,
                            f"spec.sources[{i}].permissions[{j}].http.methods",
                            "method listed more than once.",
                            node,
                        )
                        if crd
                        else f'Sources[{i}].Permissions[{j}].HTTP.Methods contains "{method}" more than once'
                    )
                    yield self.report(
                        doc.at(node),
                        msg,
                        related=[(doc.at(first), "first listed here")],
                        fix="remove the repeated method",
                    )

    def _upstreams(self, doc: Document) -> Iterator[Finding]:
        prefix = f'service "{v.value(doc.root.get("name")) or ""}": '
        for _proxy, ups in v.upstreams(doc):
            idents = ((v.upstream_identity(u), u.get("destination_name") or u) for u in ups)
            for node, first, key in v.repeated(idents):
                yield self.report(
                    doc.at(node),
                    f"{prefix}upstreams cannot contain duplicates of {key}",
                    related=[(doc.at(first), "first defined here")],
                    fix="remove the repeated upstream",
                )
            binds = ((target, node) for node, target in (v.bind_target(u) for u in ups) if node is not None)
            for node, first, target in v.repeated(binds):
                yield self.report(
                    doc.at(node),
                    f'{prefix}upstreams cannot contain duplicates by local bind address and port or unix path; "{target}" is specified twice',
                    related=[(doc.at(first), "first bound here")],
                    fix="give each upstream its own local_bind_port",
                )

    def _singletons(self, project) -> Iterator[Finding]:
        seen: dict[tuple[str, str, str], Document] = {}
        for doc in project.of(*v.SINGLETONS):
            key = v.singleton_key(doc)
            first = seen.setdefault(key, doc) if key else doc
            if first is doc:
                continue
            both_crd = v.is_crd(doc) and v.is_crd(first)
            same_object = both_crd and v.k8s_object(doc) == v.k8s_object(first)
            if same_object:
                continue  # one object described twice (a base and its overlay): an update, not a second one
            if not (v.is_crd(doc) or v.is_crd(first)) and v.content(doc) == v.content(first):
                continue  # the same entry written twice: harmless
            if both_crd and not same_object:
                msg = v.SINGLETON_WEBHOOK[doc.kind]
            else:
                msg = f'a second {key[1]} entry for partition "{key[2]}": one partition has one, so whichever is written last silently replaces the other'
            yield self.report(
                doc.at(doc.name_node() if v.is_crd(doc) else (doc.kind_node() or doc.root)),
                msg,
                related=[(first.at(first.name_node() if v.is_crd(first) else first.kind_node()), "the other one")],
                fix="merge the two into one",
            )

    def _k8s_objects(self, project) -> Iterator[Finding]:
        groups: dict[tuple, Document] = {}
        for doc in project.of(
            "PeeringAcceptor",
            "PeeringDialer",
            "ServiceIntentions",
            "ServiceDefaults",
            "ServiceResolver",
            "ServiceRouter",
            "ServiceSplitter",
            "SamenessGroup",
            "JWTProvider",
        ):
            namespace, name = v.k8s_object(doc)
            if doc.kind in ("PeeringAcceptor", "PeeringDialer"):
                secret = v.child(v.child(doc.spec, "peer"), "secret")
                node = secret.get("name") if secret else None
                key = (doc.cluster, doc.kind, namespace, v.value(node)) if v.is_set(node) else None
                msg = f"an existing {doc.kind} resource has the same secret name `name: {v.value(node)}, namespace: {namespace or 'default'}`"
            else:
                context = schema.context_of(project, doc)
                single = v.single_consul_namespace(context, project.edition_of(doc).enterprise)
                if doc.kind == "ServiceIntentions":
                    node, key, msg = self._intention_key(doc, context, single)
                elif single:
                    node, kube = doc.name_node(), v.KUBE_KIND.get(doc.kind, doc.kind.lower())
                    key = (doc.cluster, doc.kind, name) if name else None
                    msg = f'{kube} resource with name "{name}" is already defined – all {kube} resources must have unique names across namespaces'
                else:
                    continue  # with Consul namespaces mirrored (or not known not to be), names may repeat across namespaces
            first = groups.setdefault(key, doc) if key else doc
            if first is not doc and v.k8s_object(first) != (namespace, name):
                yield self.report(
                    doc.at(node),
                    msg,
                    related=[(first.at(first.name_node()), "the existing resource")],
                    fix="merge them, or give each its own name",
                )

    @staticmethod
    def _intention_key(doc: Document, context, single: bool | None) -> tuple:
        """The ServiceIntentions webhook's create check (``Handle``): with one Consul
        namespace for the cluster, the destination name alone; with namespaces mirrored,
        the destination name and (defaulted) namespace. Unknown which: a pair equal
        under both is refused either way, in words the two messages share."""
        dest, _ns = v.intention_destination(doc)
        if not v.is_set(dest):
            return dest, None, ""
        name = v.value(dest)
        msg = f"an existing ServiceIntentions resource has `spec.destination.name: {name}`"
        if single:
            return dest, (doc.cluster, doc.kind, name), msg
        where, namespace = v.intention_consul_namespace(doc, context)
        if single is False:
            msg += f" and `spec.destination.namespace: {namespace}`"
        return dest, (doc.cluster, doc.kind, name, where, namespace), msg
