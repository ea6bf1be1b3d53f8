"""Helper tier: the decoder-shape checks (unknown key, wrong type, bad value, missing
field) that PL101-PL104 share, one schema walk per document for all four
(:mod:`linter.schemacheck` walks; this turns its issues into each rule's findings)."""

from __future__ import annotations

import re
from typing import Any

from linter.constraints import Context
from linter.constraints.k8s import KubeContext
from linter.findings import Fix
from linter.k8s.helm import install_for
from linter.kinds import webhook_prefix
from linter.schemacheck import issues, schema_name
from linter.textedits import scalar_edits
from linter.versions import installed

__all__ = ["shape_findings", "check_context", "context_of"]

#: A Kubernetes field error (``field.Invalid`` and friends) not yet wrapped in the
#: webhook's ``apierrors.NewInvalid`` words.
_FIELD_ERROR = re.compile(
    r"^(spec|metadata|name)\b[^:]*: (Invalid value|Required value|Unsupported value|Duplicate value|Forbidden)"
)


#: Each document's context, worked out once per run (the five shape rules each ask).
def check_context(project: Any, doc: Any, edition: str, edition_assumed: bool = False) -> Context:
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
    inference = getattr(project, "inference", None)
    guessed = bool(inference is not None and inference.guess_about(doc.path))
    name = schema_name(doc)
    crd = bool(name) and name.startswith("crd-")
    # The context depends on the document only through these: worked out once per
    # cluster and run, not once per document (it was a fifth of the shape rules' time).
    key = (doc.cluster, guessed, crd, edition, edition_assumed)
    derived = getattr(project, "derived", None)
    memo = derived(_context_memo) if derived is not None else {}
    context = memo.get(key)
    if context is None:
        context = memo[key] = _cluster_context(project, doc.cluster, guessed, crd, edition, edition_assumed)
    return context


def _context_memo(project: Any) -> dict[tuple, Context]:
    """A run's contexts by (cluster, guessed, custom resource, edition, assumed)."""
    return {}


def _cluster_context(
    project: Any, cluster: str, guessed: bool, crd: bool, edition: str, edition_assumed: bool
) -> Context:
    """:func:`check_context` for any document of ``cluster`` (a custom resource when ``crd``)."""
    consul = installed(None if guessed else install_for(project, cluster), project.config)[0]
    consul_version = tuple(consul) if consul else None
    context = Context(edition=edition, edition_assumed=edition_assumed, consul_version=consul_version)
    if not crd or guessed:
        return context
    namespaces = partitions = partition = mirroring = prefix = None
    configured = cluster in project.config.clusters
    install = install_for(project, cluster)
    version = installed(install, project.config)[1]
    if install is not None:
        namespaces = install.truthy("global.enableConsulNamespaces")
        partitions = install.truthy("global.adminPartitions.enabled")
        named = install.value("global.adminPartitions.name")
        partition = (named if isinstance(named, str) else "") if partitions else ""
        mirroring, prefix = _mirroring(install, namespaces, version)
    else:
        settings = project.config.clusters.get(cluster)
        placed = getattr(settings, "partition", "default") if settings is not None else "default"
        if placed and placed != "default":
            partitions, partition = True, placed
    return KubeContext(
        edition=edition,
        edition_assumed=edition_assumed,
        namespaces_enabled=namespaces,
        partitions_enabled=partitions,
        partition=partition,
        configured=configured,
        version=tuple(version) if version else None,
        mirroring=mirroring,
        mirroring_prefix=prefix,
        consul_version=consul_version,
    )


def _mirroring(install: Any, namespaces: bool, version: Any) -> tuple[bool | None, str]:
    """``ConsulMeta.Mirroring`` and ``.Prefix``: the chart passes
    ``-enable-k8s-namespace-mirroring`` only with namespaces on and
    ``connectInject.consulNamespaces.mirroringK8S`` true. That value's chart default
    turned from false to true in consul-k8s 1.0.0, so left unset it is known only when
    the cluster's consul-k8s version is."""
    if not namespaces:
        return False, ""
    if install.setting(_MIRRORING) is not None:
        on: bool | None = install.truthy(_MIRRORING)
    elif version:
        on = tuple(version) >= (1, 0, 0)
    else:
        on = None
    named = install.value(_MIRRORING_PREFIX)
    return on, str(named) if named not in (None, "") else ""


_MIRRORING = "connectInject.consulNamespaces.mirroringK8S"
_MIRRORING_PREFIX = "connectInject.consulNamespaces.mirroringK8SPrefix"


def context_of(project: Any, doc: Any) -> Context:
    """:func:`check_context` for ``doc`` with its cluster's edition, worked out once per
    run (the shape rules and PL108's webhook duplicates all ask)."""
    edition_of = getattr(project, "edition_of", None)
    if edition_of:
        known = edition_of(doc.cluster)
        edition, assumed = known.edition, bool(getattr(known, "assumed", False))
    else:
        edition, assumed = getattr(project, "edition", "ce"), False
    # memoised per cluster and run (check_context): never per document, since an editor
    # re-uses an unchanged document in the next run, where other files (Helm values,
    # peerlint.toml) may have changed its cluster's enablement
    return check_context(project, doc, edition, assumed)


def shape_findings(rule: Any, project: Any, kind: str):
    """The findings of one shape rule (``kind`` = unknown/type/value/missing, or
    conflict for PL106's constraint-layer part) over every document that has a schema."""
    if kind == "unknown":
        from linter.k8s.chartkeys import helm_unknown

        yield from helm_unknown(rule, project)
    # the documents of ``project`` itself: a scoped re-run (linter.rerun.ScopedView)
    # sees only the changed files' documents, while ``derived`` is the whole project's
    for doc, context in _schema_documents(project):
        for issue in issues(doc, context.edition, context):
            if issue.kind == kind:
                edits = (
                    scalar_edits(project.texts, doc, issue.node, issue.replacement)
                    if issue.replacement is not None
                    else ()
                )
                message = webhook_words(doc, issue.kind, issue.message)
                yield rule.report(
                    doc.at(issue.node),
                    message,
                    fix=Fix(issue.fix, edits) if issue.fix else None,
                    severity=issue.severity,
                )


def _schema_documents(project: Any) -> list[tuple[Any, Context]]:
    """Every document with a schema, with its context (memoised per cluster and run)."""
    return [(doc, context_of(project, doc)) for doc in project.documents if schema_name(doc) is not None]


def webhook_words(doc: Any, kind: str, message: str) -> str:
    """A custom resource's refusal as ``kubectl apply`` prints it: the consul-k8s
    webhook (a mutating webhook: it answers before the API server's schema check) wraps
    its field errors in ``<kubeKind>.consul.hashicorp.com "<name>" is invalid: ``. The
    schema's enum and required-field messages are those field errors; unknown fields and
    wrong types are the API server's own, and stay as they are."""
    name = schema_name(doc)
    if kind not in ("value", "missing") or not name or not name.startswith("crd-") or not _FIELD_ERROR.match(message):
        return message
    return webhook_prefix(doc.kind, doc.name or "") + message
