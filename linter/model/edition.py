"""Which Consul edition each cluster runs, and how peerlint knows.

An explicit ``edition`` wins: ``[clusters.NAME] edition``, then the top-level
``edition``. Otherwise the cluster's own files decide: an Enterprise image
(``hashicorp/consul-enterprise`` or an ``-ent`` tag), ``global.enterpriseLicense``,
``global.enableConsulNamespaces``, ``global.adminPartitions.enabled`` in Helm values, or
an agent's ``partition``, ``license_path``, ``segment``/``segments`` or ``audit`` mark it
Enterprise. Helm values with none of these run the chart's default image, which is CE.
An agent configuration alone does not say (a license may come from the environment), so
there CE is only *assumed*, and a rule that needs the edition says what it depends on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from linter.k8s.helm import truthy
from linter.model.document import AGENT_CONFIG, HELM_VALUES, Document
from linter.nodes import Mapping, Node

_ENT_IMAGE = re.compile(r"consul-enterprise|[:@][^/]*-ent\b", re.I)
_AGENT_MARKS = ("partition", "license_path", "segment", "segments", "audit")


@dataclass(frozen=True)
class Edition:
    """``edition`` is ``ce`` or ``enterprise``; ``source`` is ``config`` (set in
    peerlint.toml), ``files`` (the cluster's files say it) or ``assumed`` (nothing says:
    CE by default); ``why`` says it in words for messages."""

    edition: str
    source: str
    why: str
    doc: Document | None = None
    node: Node | None = None

    @property
    def enterprise(self) -> bool:
        return self.edition == "enterprise"

    @property
    def assumed(self) -> bool:
        return self.source == "assumed"


def _value(node: Node | None) -> Any:
    return getattr(node, "value", None)


def enterprise_mark(doc: Document) -> tuple[Node, str] | None:
    """The setting in a Helm values file or agent configuration that only an Enterprise
    cluster has, and its name; None when it has none."""
    root = doc.root
    if doc.category == HELM_VALUES:
        glob = root.get("global")
        if not isinstance(glob, Mapping):
            return None
        image = glob.get("image")
        if isinstance(_value(image), str) and _ENT_IMAGE.search(_value(image)):
            return image, "global.image is an Enterprise image"  # type: ignore[return-value]
        license_ = glob.get("enterpriseLicense")
        if isinstance(license_, Mapping) and any(_value(v) for _k, v in license_.items()):
            return license_, "global.enterpriseLicense is set"
        namespaces = glob.get("enableConsulNamespaces")
        if truthy(namespaces):
            return namespaces, "global.enableConsulNamespaces is true"  # type: ignore[return-value]
        parts = glob.get("adminPartitions")
        if isinstance(parts, Mapping) and truthy(parts.get("enabled")):
            return parts.get("enabled"), "global.adminPartitions.enabled is true"  # type: ignore[return-value]
        return None
    if doc.category == AGENT_CONFIG and doc.parent is None:
        for key in _AGENT_MARKS:
            node = root.get(key)
            if node is not None and _value(node) not in ("", "default"):
                return node, f"the agent configuration sets {key}"
    return None


def edition_of(project: Any, cluster: str) -> Edition:
    """The edition of ``cluster`` in ``project`` (see the module doc)."""
    config = project.config
    configured = config.clusters.get(cluster)
    if configured is not None and getattr(configured, "edition", None):
        return Edition(configured.edition, "config", f"[clusters.{cluster}] edition = {configured.edition!r}")
    if "edition" in config.line_of or config.edition != "ce":
        return Edition(config.edition, "config", f"edition = {config.edition!r} in peerlint.toml")
    anchors = project.derived(_anchors)
    if cluster not in anchors:
        # Files no cluster folder holds (config entries beside two clusters' values):
        # when every cluster the repository does describe is plainly Enterprise, so is this.
        ask = getattr(project, "edition_of", None) or (lambda other: edition_of(project, other))
        others = [ask(other) for other in sorted(anchors)]
        if others and all(o.enterprise and not o.assumed for o in others):
            return Edition("enterprise", "files", f"every cluster in the repository is Enterprise ({others[0].why})")
    helm = False
    for doc in anchors.get(cluster, ()):
        helm = helm or doc.category == HELM_VALUES
        mark = enterprise_mark(doc)
        if mark is not None:
            return Edition("enterprise", "files", f"cluster {cluster!r} is Enterprise: {mark[1]}", doc, mark[0])
    if helm:
        return Edition("ce", "files", f"cluster {cluster!r} runs the Helm chart's default (CE) image")
    inferred = project.inference is not None and project.inference.roots
    who = f"cluster {cluster!r}" if project.config.clusters or inferred else "this repository's Consul"
    return Edition(
        "ce",
        "assumed",
        f"nothing in the repository says which edition {who} runs (CE assumed;"
        ' set edition = "ce" or "enterprise" in peerlint.toml)',
    )


def _anchors(project: Any) -> dict[str, list[Document]]:
    """Each cluster's Helm values and top-level agent configurations (grouped once)."""
    out: dict[str, list[Document]] = {}
    for doc in project.documents:
        if doc.category == HELM_VALUES or (doc.category == AGENT_CONFIG and doc.parent is None):
            out.setdefault(doc.cluster, []).append(doc)
    return out


def for_guessed(edition: Edition, why: str) -> Edition:
    """The edition of a document whose cluster is a guess (``why``): a CE its cluster's
    files show is only assumed for it; an Enterprise cluster's stays (silence is safe)."""
    if edition.enterprise or edition.assumed:
        return edition
    return Edition("ce", "assumed", f"{edition.why}, but {why} (CE assumed; set edition in peerlint.toml)")
