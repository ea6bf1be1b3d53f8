"""Helper tier: the decoder-shape checks (unknown key, wrong type, bad value, missing
field) that PL101-PL104 share, one schema walk per document for all four
(:mod:`linter.schemacheck` walks; this turns its issues into each rule's findings)."""

from __future__ import annotations

import weakref
from typing import Any

from linter.constraints import Context
from linter.constraints.k8s import KubeContext
from linter.findings import Fix
from linter.k8s.helm import install_for
from linter.schemacheck import issues, schema_name
from linter.textedits import scalar_edits
from linter.versions import installed

__all__ = ["shape_findings", "check_context"]

#: Each document's context, worked out once per run (the five shape rules each ask).
_CONTEXTS: weakref.WeakKeyDictionary[Any, Context] = weakref.WeakKeyDictionary()


def check_context(project: Any, doc: Any, edition: str) -> Context:
    """What the constraint layer may know about ``doc``'s cluster besides the edition.

    A custom resource is judged by the consul-k8s webhook, which is started with the
    ``ConsulMeta`` the chart derives from the cluster's Helm values:
    ``-enable-namespaces`` from ``global.enableConsulNamespaces``,
    ``-enable-partitions`` from ``global.adminPartitions.enabled`` and the partition
    (``CONSUL_PARTITION``) from ``global.adminPartitions.name``, set only when partitions
    are on (otherwise the webhook's partition is the empty string). With Helm values for
    the cluster, the chart's defaults fill what they leave out. Without them, a cluster
    placed in a non-default partition by ``[clusters.NAME] partition`` in peerlint.toml
    has partitions on. Anything else stays None (unknown): the checks that depend on it
    stay silent, and so they do when the document's cluster is only a guess."""
    context = Context(edition=edition)
    name = schema_name(doc)
    if not name or not name.startswith("crd-"):
        return context
    inference = getattr(project, "inference", None)
    if inference is not None and inference.guess_about(doc.path):
        return context
    namespaces = partitions = partition = None
    configured = doc.cluster in project.config.clusters
    install = install_for(project, doc.cluster)
    if install is not None:
        namespaces = install.truthy("global.enableConsulNamespaces")
        partitions = install.truthy("global.adminPartitions.enabled")
        named = install.value("global.adminPartitions.name")
        partition = (named if isinstance(named, str) else "") if partitions else ""
    else:
        cluster = project.config.clusters.get(doc.cluster)
        placed = getattr(cluster, "partition", "default") if cluster is not None else "default"
        if placed and placed != "default":
            partitions, partition = True, placed
    version = installed(install, project.config)[1]
    return KubeContext(edition, namespaces, partitions, partition, configured, tuple(version) if version else None)


def shape_findings(rule: Any, project: Any, kind: str):
    """The findings of one shape rule (``kind`` = unknown/type/value/missing, or
    conflict for PL106's constraint-layer part) over every document that has a schema."""
    edition_of = getattr(project, "edition_of", None)
    if kind == "unknown":
        from linter.k8s.chartkeys import helm_unknown

        yield from helm_unknown(rule, project)
    for doc in project.documents:
        if schema_name(doc) is None:
            continue
        edition = edition_of(doc.cluster).edition if edition_of else getattr(project, "edition", "ce")
        context = _CONTEXTS.get(doc)
        if context is None or context.edition != edition:
            context = _CONTEXTS[doc] = check_context(project, doc, edition)
        for issue in issues(doc, edition, context):
            if issue.kind == kind:
                edits = (
                    scalar_edits(project.texts, doc, issue.node, issue.replacement)
                    if issue.replacement is not None
                    else ()
                )
                yield rule.report(doc.at(issue.node), issue.message, fix=Fix(issue.fix, edits) if issue.fix else None)
