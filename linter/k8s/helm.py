"""Layered Helm values with provenance: what the consul chart will see for one
cluster, and which file and key set each value.

Why: a cluster is often installed with several values files (``helm install -f
values.yaml -f values-dc1.yaml``) and the chart's ``fail`` conditions judge the merged
result. A finding must point at the file and key that set the deciding value, so every
merged leaf remembers its :class:`Setting` (document, key node, value node).

Merge order (documented in docs/k8s.md as well):

1. ``[clusters.NAME] helm-values`` globs, when the cluster's config names them; else
   the top-level ``helm-values-order`` globs. Files are merged in the order of the
   first glob they match; files that match no glob follow, in the default order.
2. Default order: ``values.yaml`` (or ``.yml``) first, then the rest alphabetically
   by path (so ``values-dc1.yaml`` overrides ``values.yaml``).

Helm semantics kept: maps merge key by key, anything else (lists included) is replaced
wholesale, keys are case-sensitive (``meshgateway`` is not ``meshGateway``), and a
later ``null`` clears an earlier value. When the files of one cluster declare
different ``global.datacenter`` values they are different installs: each datacenter
gets its own merge, with the files that declare no datacenter as shared base layers.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

from linter.config import Config
from linter.globs import matches as glob_matches
from linter.model.document import HELM_VALUES, Document
from linter.nodes import Mapping, Node, Scalar

#: Chart defaults (charts/consul/values.yaml, consul-k8-semantics §3.1) for the keys
#: the rules read; anything absent defaults to null (falsy) in the chart.
CHART_DEFAULTS: dict[str, Any] = {
    "global.enabled": True,
    "global.datacenter": "dc1",
    "global.adminPartitions.name": "default",
    "server.enabled": "-",
    "client.enabled": False,
    "connectInject.enabled": True,
    "meshGateway.consulServiceName": "mesh-gateway",
    "meshGateway.wanAddress.source": "Service",
    "meshGateway.wanAddress.static": "",
    "meshGateway.service.type": "LoadBalancer",
    "connectInject.consulNamespaces.consulDestinationNamespace": "default",
}


@dataclass(frozen=True)
class Setting:
    """Where one merged value came from."""

    doc: Document
    key: Scalar
    node: Node

    @property
    def value(self) -> Any:
        return self.node.value if isinstance(self.node, Scalar) else self.node.plain()


@dataclass
class HelmValues:
    """The merged values of one install (one cluster/datacenter)."""

    cluster: str
    docs: list[Document]
    settings: dict[str, Setting] = field(default_factory=dict)

    def setting(self, path: str) -> Setting | None:
        """The setting of a dotted path (``global.tls.enabled``), or None when no file
        sets it (the chart default applies)."""
        return self.settings.get(path)

    def value(self, path: str) -> Any:
        """The merged value, or the chart default."""
        found = self.settings.get(path)
        if found is not None:
            return found.value
        if self._cleared(path):
            return None
        return CHART_DEFAULTS.get(path)

    def _cleared(self, path: str) -> bool:
        """A parent set to a non-map (``global: null``) hides the chart default."""
        parts = path.split(".")
        for i in range(1, len(parts)):
            parent = self.settings.get(".".join(parts[:i]))
            if parent is not None and not isinstance(parent.node, Mapping):
                return True
        return False

    def truthy(self, path: str) -> bool:
        """Go template truthiness: false, 0, null and empty strings/lists/maps are
        false; every other value (``"-"``, ``"false"`` as a string) is true."""
        return truthy(self.value(path))

    def enabled(self, path: str) -> bool:
        """The chart's ``"-"`` convention: ``server.enabled: "-"`` follows
        ``global.enabled``."""
        value = self.value(path)
        if value == "-":
            return self.truthy("global.enabled")
        return truthy(value)

    def where(self, *paths: str) -> Setting | None:
        """The first of ``paths`` set by some file (for pointing a finding)."""
        for path in paths:
            if path in self.settings:
                return self.settings[path]
        return None

    def anchor(self) -> Document:
        """The document to report on when no key decides: the last layer."""
        return self.docs[-1]


def truthy(value: Any) -> bool:
    """Go template truthiness of a Helm value, the one reading of a values file's
    booleans (the chart's ``{{- if .Values.global.acls.manageSystemACLs }}``): false,
    0, null and empty strings/lists/maps are false; everything else, the strings
    ``"true"``, ``"false"`` and ``"-"`` included, is true. ``value`` is a plain value
    or a values node (a Scalar's value; a map or list by its contents; a missing node,
    None, is false), so code reading a values file's nodes asks the same question as
    code reading merged :class:`HelmValues`."""
    if isinstance(value, Node):
        value = value.value if isinstance(value, Scalar) else value.plain()
    if value is None or value is False:
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value != 0
    if isinstance(value, (str, list, dict)):
        return len(value) > 0
    return True


def _default_key(doc: Document) -> tuple:
    release = doc.extra.get("helm_order")
    if release is not None:  # a Terraform helm_release's: its values files, then its set blocks
        return (2, release[0], release[1])
    base = os.path.basename(doc.path)
    return (0 if base in ("values.yaml", "values.yml") else 1, doc.path, doc.index)


def order_documents(docs: Iterable[Document], globs: list[str], root: str) -> list[Document]:
    """Merge order: by the first matching glob, then the default order."""

    def key(doc: Document) -> tuple:
        rel = os.path.relpath(os.path.abspath(doc.path), root).replace(os.sep, "/")
        for i, glob in enumerate(globs):
            if glob_matches(rel, (glob,)):  # gitignore semantics: "values-*.yaml" matches at any depth
                return (i,) + _default_key(doc)
        return (len(globs),) + _default_key(doc)

    return sorted(docs, key=key)


def merge(cluster: str, docs: list[Document]) -> HelmValues:
    """Merge ``docs`` in order, recording the setting of every key path."""
    values = HelmValues(cluster, docs)
    for doc in docs:
        _merge_into(values.settings, doc, doc.root, "")
    return values


def _merge_into(settings: dict[str, Setting], doc: Document, mapping: Mapping, prefix: str) -> None:
    stack: list[tuple[Mapping, str]] = [(mapping, prefix)]
    while stack:
        node, base = stack.pop()
        for key, value in node.items():
            if not isinstance(key.value, str):
                continue
            path = f"{base}.{key.value}" if base else key.value
            if isinstance(value, Mapping):
                previous = settings.get(path)
                if previous is not None and not isinstance(previous.node, Mapping):
                    _clear_below(settings, path)
                settings[path] = Setting(doc, key, value)
                stack.append((value, path))
            else:
                _clear_below(settings, path)
                settings[path] = Setting(doc, key, value)


def _clear_below(settings: dict[str, Setting], path: str) -> None:
    prefix = path + "."
    for name in [n for n in settings if n.startswith(prefix)]:
        del settings[name]


def _declared_dc(doc: Document) -> str | None:
    glob = doc.root.get("global")
    if isinstance(glob, Mapping):
        for key, value in glob.items():
            if key.value == "datacenter" and isinstance(value, Scalar) and isinstance(value.value, str):
                return value.value
    return None


def installs(documents: Iterable[Document], config: Config) -> Iterator[HelmValues]:
    """One merged :class:`HelmValues` per install, grouped by ``doc.cluster``."""
    groups: dict[str, list[Document]] = {}
    for doc in documents:
        if doc.category == HELM_VALUES and doc.parent is None:
            groups.setdefault(doc.cluster, []).append(doc)
    for cluster, docs in groups.items():
        cluster_config = config.clusters.get(cluster)
        globs = (
            cluster_config.helm_values if cluster_config and cluster_config.helm_values else config.helm_values_order
        )
        ordered = order_documents(docs, globs, config.root)
        declared = [(doc, _declared_dc(doc)) for doc in ordered]
        dcs = list(dict.fromkeys(dc for _doc, dc in declared if dc is not None))
        if len(dcs) <= 1:
            yield merge(cluster, ordered)
            continue
        for dc in dcs:
            yield merge(cluster, [d for d, own in declared if own in (None, dc)])


def project_installs(project: Any) -> list[HelmValues]:
    """The installs of a project, computed once per run (several rules read them)."""
    return project.derived(_all_installs)


def _all_installs(project: Any) -> list[HelmValues]:
    return list(installs(project.of(HELM_VALUES), project.config))


def install_for(project: Any, cluster: str) -> HelmValues | None:
    """The one install a rule reads for ``cluster`` (its versions, its namespace and
    partition flags), or None when it has no Helm values.

    Why one function: a folder may hold the values of several datacenters (one install
    each, see :func:`installs`), and rules that picked "an" install each their own way
    (the first, the last) judged one cluster by two different installs. The choice:
    the install whose ``global.datacenter`` is the ``datacenter`` the configuration
    gives the cluster, else the first in merge order (the datacenter of the earliest
    layer that declares one). Deterministic: merge order is a sort. Rules that judge
    every install (the chart's ``fail`` conditions) iterate :func:`project_installs`.
    """
    return project.derived(_install_per_cluster).get(cluster)


def _install_per_cluster(project: Any) -> dict[str, HelmValues]:
    chosen: dict[str, HelmValues] = {}
    for values in project_installs(project):
        current = chosen.get(values.cluster)
        cluster_config = project.config.clusters.get(values.cluster)
        wanted = cluster_config.datacenter if cluster_config is not None else None
        if current is None or (
            wanted is not None
            and values.value("global.datacenter") == wanted
            and current.value("global.datacenter") != wanted
        ):
            chosen[values.cluster] = values
    return chosen
