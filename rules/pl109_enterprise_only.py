"""PL109: admin partitions, namespaces and sameness groups under ``edition = "ce"``."""

from __future__ import annotations

from typing import Iterator

from linter.api import Document, Finding, Mapping, Node, Rule
from linter.api import validation as v

SG_CE = "sameness-groups are an enterprise-only feature"
SG_FIX = 'sameness groups need Consul Enterprise: list the peers instead (or set edition = "enterprise")'
CRD_GATES = {  # (kind, field) -> consul-k8s's message when partitions/namespaces are off
    (
        "ServiceIntentions",
        "source.partition",
    ): "Consul Enterprise Admin Partitions must be enabled to set source.partition",
    ("ServiceIntentions", "source.namespace"): "Consul Enterprise namespaces must be enabled to set source.namespace",
    (
        "ServiceIntentions",
        "destination.namespace",
    ): "Consul Enterprise namespaces must be enabled to set destination.namespace",
    (
        "ServiceDefaults",
        "upstream.partition",
    ): "Consul Enterprise Admin Partitions must be enabled to set upstream.partition",
    ("ServiceResolver", "redirect.namespace"): "Consul Enterprise namespaces must be enabled to set redirect.namespace",
    ("ServiceResolver", "redirect.partition"): "Consul Enterprise partitions must be enabled to set redirect.partition",
    ("ServiceResolver", "failover.namespace"): "Consul Enterprise namespaces must be enabled to set failover.namespace",
}


def _non_default(node: Node | None) -> bool:
    """CE accepts an empty or "default" partition/namespace on the paths that decode
    one (the CLI's api structs); anything else is refused everywhere."""
    return v.value(node) not in (None, "", "default")


class EnterpriseOnly(Rule):
    code = "PL109"
    slug = "enterprise-only"
    summary = 'Admin partitions, namespaces or sameness groups with edition = "ce" (the default)'
    severity = "error"
    reads = ("config-entry", "crd")
    scope = "cluster"  # tests/test_rule_scopes.py
    doc = """
## What it does
With `edition = "ce"` (the default in peerlint.toml), flags what only Consul Enterprise
accepts: non-default `Partition` / `Namespace` keys on config entries and intention
sources, sameness groups anywhere (the `sameness-group` kind, consumers, intention sources,
resolver failover), and the CRD fields consul-k8s refuses while partitions or namespaces
are off (`spec.services[].namespace`, `consumers[].partition`, `sources[].partition`,
`destination.namespace`, `upstreamConfig.*.partition`, resolver `redirect.namespace`, ...).
Silent on a cluster that runs Enterprise.

**Assumes** the cluster runs Consul CE. The edition is read per cluster: an explicit
`edition` (`[clusters.NAME] edition`, then the top-level one) wins; otherwise an
Enterprise image (`hashicorp/consul-enterprise`, an `-ent` tag), `global.enterpriseLicense`,
`global.enableConsulNamespaces` or `global.adminPartitions.enabled` in the cluster's Helm
values, or an agent's `partition`/`license_path`, mark it Enterprise and silence the rule.
Helm values with none of them run the chart's CE image: the finding is an error. When
nothing in the repository says (config entries alone), it is a warning that says the
finding holds only on CE.

## Why is this bad?
Consul CE refuses the write (`invalid config key "Namespace", namespaces are a consul
enterprise feature`, `Services[0].Consumers[0]: sameness-groups are an enterprise-only
feature`, `Sources[0].SamenessGroup: Sameness groups are a Consul Enterprise feature.`),
and the consul-k8s webhook refuses the resource.

## References
- [Consul `agent/structs/config_entry_ce.go`: `validateUnusedKeys`](https://github.com/hashicorp/consul/blob/main/agent/structs/config_entry_ce.go)
- [Consul `agent/structs/config_entry_exports_ce.go`: Community Edition exports](https://github.com/hashicorp/consul/blob/main/agent/structs/config_entry_exports_ce.go)
- [Consul `agent/structs/config_entry_intentions_ce.go`: Community Edition intentions](https://github.com/hashicorp/consul/blob/main/agent/structs/config_entry_intentions_ce.go)
- [Consul `agent/structs/config_entry_sameness_group_ce.go`: Community Edition sameness groups](https://github.com/hashicorp/consul/blob/main/agent/structs/config_entry_sameness_group_ce.go)
- [consul-k8s `control-plane/api/v1alpha1`: each kind's `Validate` in `*_types.go`](https://github.com/hashicorp/consul-k8s/tree/main/control-plane/api/v1alpha1)
"""
    example = {
        "bad": {
            "exports.hcl": """\
Kind = "exported-services"
Name = "default"
Services = [{ Name = "web", Consumers = [{ SamenessGroup = "east" }] }]
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

    def __init__(self) -> None:
        self._edition = None

    def _ce(self, project, docs: Iterator[Document]) -> Iterator[Document]:
        """The documents of clusters not known to run Enterprise; the edition of the one
        handed out is what :meth:`report` qualifies its findings by."""
        for doc in docs:
            edition = project.edition_of(doc)
            if not edition.enterprise:
                self._edition = edition
                yield doc

    def report(self, at, message: str, **kwargs):  # type: ignore[override]
        """An error when the cluster is known to run CE; when nothing says which edition
        it runs, a warning that says so (Enterprise accepts all of these)."""
        edition = self._edition
        if edition is not None and edition.assumed:
            kwargs["severity"] = "warning"
            message = f"{message.rstrip('.')}; this holds only on Consul CE: {edition.why}"
        return super().report(at, message, **kwargs)

    def check(self, project) -> Iterator[Finding]:
        for doc in self._ce(project, project.of("config-entry")):
            yield from self._enterprise_meta(doc, doc.root, "")
            if doc.kind == "service-intentions":
                for i, source in v.intention_sources(doc):
                    yield from self._enterprise_meta(doc, source, f"Sources[{i}].")
            elif doc.kind == "service-defaults":
                for i, override in v.upstream_overrides(doc):
                    yield from self._enterprise_meta(doc, override, f"UpstreamConfig.Overrides[{i}].")
        for doc in self._ce(project, project.of("sameness-group", "SamenessGroup")):
            yield self.report(doc.at(doc.kind_node()), SG_CE, fix=SG_FIX)
        for doc in self._ce(project, project.of("exported-services", "ExportedServices")):
            crd = v.is_crd(doc)
            for i, service in v.exported_services(doc):
                if crd and v.is_set(service.get("namespace")):
                    yield self._crd(
                        doc,
                        service.get("namespace"),
                        f"spec.services[{i}]",
                        "Consul Namespaces must be enabled to specify service namespace.",
                    )
            for i, j, _service, consumer in v.exported_consumers(doc):
                if crd and v.is_set(consumer.get("partition")):
                    yield self._crd(
                        doc,
                        consumer.get("partition"),
                        f"spec.services[{i}].consumers[{j}].partition",
                        "Consul Admin Partitions need to be enabled to specify partition.",
                    )
                if v.is_set(consumer.get("SamenessGroup")):
                    yield self.report(
                        doc.at(consumer.get("SamenessGroup")), f"Services[{i}].Consumers[{j}]: {SG_CE}", fix=SG_FIX
                    )
        for doc in self._ce(project, project.of("service-intentions", "ServiceIntentions")):
            for i, source in v.intention_sources(doc):
                if v.is_set(source.get("SamenessGroup")):
                    yield self.report(
                        doc.at(source.get("SamenessGroup")),
                        f"Sources[{i}].SamenessGroup: Sameness groups are a Consul Enterprise feature.",
                        fix=SG_FIX,
                    )
                if v.is_crd(doc):
                    for field in ("partition", "namespace"):
                        if v.is_set(source.get(field)):
                            yield self._crd(
                                doc,
                                source.get(field),
                                f"spec.sources[{i}].{field}",
                                CRD_GATES["ServiceIntentions", f"source.{field}"],
                            )
            if v.is_crd(doc):
                _name, namespace = v.intention_destination(doc)
                if v.is_set(namespace):
                    yield self._crd(
                        doc,
                        namespace,
                        "spec.destination.namespace",
                        CRD_GATES["ServiceIntentions", "destination.namespace"],
                    )
        for doc in self._ce(project, project.of("ServiceDefaults")):
            upstream_config = v.child(doc.spec, "upstreamConfig")
            defaults = [("defaults", v.child(upstream_config, "defaults"))]
            for i, override in v.upstream_overrides(doc):
                defaults.append((f"overrides[{i}]", override))
            for where, upstream in defaults:
                if upstream is not None and v.is_set(upstream.get("partition")):
                    yield self._crd(
                        doc,
                        upstream.get("partition"),
                        f"spec.upstreamConfig.{where}.partition",
                        CRD_GATES["ServiceDefaults", "upstream.partition"],
                    )
        for doc in self._ce(project, project.of("service-resolver", "ServiceResolver")):
            yield from self._resolver(doc, known_ce=not project.edition_of(doc).assumed)

    def _enterprise_meta(self, doc: Document, mapping: Mapping, prefix: str) -> Iterator[Finding]:
        """Keys Consul CE decodes into an empty EnterpriseMeta: unused, so refused."""
        for key, node in mapping.items():
            name = str(key.value)
            folded = name.lower().replace("_", "")
            if not _non_default(node) or folded not in ("namespace", "partition"):
                continue
            if folded == "namespace":
                msg = f'invalid config key "{prefix}{name}", namespaces are a consul enterprise feature'
            else:
                msg = f'invalid config key "{prefix}{name}" (admin partitions are a Consul Enterprise feature)'
            yield self.report(
                doc.at(key),
                msg,
                fix=f'remove {name}: Consul CE has only the "default" {folded} (or set edition = "enterprise")',
            )

    def _resolver(self, doc: Document, known_ce: bool = False) -> Iterator[Finding]:
        crd = v.is_crd(doc)
        redirect = v.child(doc.spec, "Redirect")
        blocks = [("redirect", redirect)] + [(f"failover[{k}]", body) for k, body in v.failovers(doc)]
        for where, block in blocks:
            if block is None:
                continue
            if v.is_set(block.get("SamenessGroup")) and (crd or known_ce is False):
                # on a cluster known to run CE, the constraint layer reports a config
                # entry's resolver SamenessGroup in Consul's words (PL103): not twice
                label = (
                    f"spec.{where}.samenessGroup"
                    if crd
                    else where.replace("redirect", "Redirect").replace("failover[", 'Failover["').replace("]", '"]')
                    + ".SamenessGroup"
                )
                yield self.report(doc.at(block.get("SamenessGroup")), f"{label}: {SG_CE}", fix=SG_FIX)
            for field in ("namespace", "partition") if crd else ():
                gate = CRD_GATES.get(("ServiceResolver", f"{where.split('[')[0]}.{field}"))
                if gate and v.is_set(block.get(field)):
                    yield self._crd(doc, block.get(field), f"spec.{where}.{field}", gate)

    def _crd(self, doc: Document, node: Node | None, path: str, message: str) -> Finding:
        return self.report(
            doc.at(node),
            v.crd_error(doc, path, message, node),
            fix='remove it: Consul CE has no admin partitions or namespaces (or set edition = "enterprise")',
        )
