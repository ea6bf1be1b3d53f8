"""Which YAML is the consul chart's values, on strong signals only.

A platform repository holds Vault's chart values and app charts' (``global:``,
``server:``, ``ui:`` too): calling them consul chart values made every one of their keys
a finding. Strong signals: keys only the consul chart reads, a document made of consul
chart keys (every version's), a ``Chart.yaml`` beside it that depends on the consul chart
(its values under ``consul:``), a helmfile release of the consul chart naming it, or the
configuration naming it (``helm-values``, ``helm-values-order``). A layer that sets only
sections both charts have (``values-dc1.yaml`` with ``server:``) counts only beside
strong ones.
"""

from __future__ import annotations

import os
import re
from typing import Iterator

from linter.config import Config
from linter.globs import matches as glob_matches
from linter.globs import one_matcher
from linter.model.charts import chart_beside
from linter.model.document import HELM_VALUES, Document
from linter.model.helmfile import helmfile_values
from linter.nodes import Mapping, Node, fold_key

__all__ = ["HELM_TOP", "drop_lone_weak_helm", "helm_named", "is_weak_helm_values", "named_consul"]


def _folded(root: Mapping) -> set[str]:
    return {fold_key(k) for k in root.keys()}


HELM_TOP = {
    "global",
    "server",
    "client",
    "connectinject",
    "meshgateway",
    "synccatalog",
    "ui",
    "dns",
    "externalservers",
    "ingressgateways",
    "terminatinggateways",
    "apigateway",
    "controller",
    "prometheus",
    "tests",
    "telemetrycollector",
    "webhookcertmanager",
}
#: Top-level keys only the consul chart reads (Vault's chart also has ``global``,
#: ``server``, ``ui``; an app chart ``image``, ``service``, ``ingress``).
HELM_CONSUL_TOP = {
    "connectinject",
    "meshgateway",
    "synccatalog",
    "externalservers",
    "ingressgateways",
    "terminatinggateways",
    "apigateway",
    "webhookcertmanager",
    "telemetrycollector",
}
#: ``global`` keys only the consul chart reads.
HELM_CONSUL_GLOBAL = {
    "datacenter",
    "imagek8s",
    "imageconsuldataplane",
    "gossipencryption",
    "acls",
    "federation",
    "adminpartitions",
    "enableconsulnamespaces",
    "peering",
    "secretsbackend",
    "enterpriselicense",
    "consulapitimeout",
    "consulsans",
    "trustedcas",
    "recursors",
    "bootstrapacls",
    "imageenvoy",
    "imageconsul",
}
#: ``server`` and ``client`` keys only the consul chart reads.
HELM_CONSUL_SERVER = {
    "bootstrapexpect",
    "exposegossipandrpcports",
    "exposegossipports",
    "servercert",
    "exposeservice",
    "snapshotagent",
    "auditlogs",
    "extraconfig",
    "updatepartition",
    "disruptionbudget",
    "storageclass",
    "connect",
    "limits",
    "join",
    "grpc",
    "datadirectoryhostpath",
}


def _is_helm_values(root: Mapping, keys: set[str], syntax: str, path: str = "") -> bool:
    """Whether a YAML document is consul chart values, on strong signals only: keys
    only the consul chart reads, or a ``consul`` image in ``global.image``. Vault's
    and an app chart's ``values.yaml`` also have ``global:``/``server:``/``ui:``."""
    if syntax != "yaml" or not keys & HELM_TOP:
        return False
    if keys & HELM_CONSUL_TOP:
        return True
    glob = root.get("global")
    if isinstance(glob, Mapping):
        if _folded(glob) & HELM_CONSUL_GLOBAL:
            return True
        image = glob.value("image")
        if isinstance(image, str) and "consul" in image.lower():
            return True
    for section in ("server", "client"):
        body = root.get(section)
        if isinstance(body, Mapping) and _folded(body) & HELM_CONSUL_SERVER:
            return True
    from linter.k8s.chartkeys import looks_like_chart_values

    return looks_like_chart_values(root)  # made of consul chart keys (every version's)


def _helm_values(root: Mapping, keys: set[str], path: str, index: int, helm_named: bool) -> Iterator[Document]:
    """Consul chart values in a YAML document: by the ``Chart.yaml`` beside it, the
    configuration, strong keys, or (weakly) a layer's name."""
    pinned = helmfile_values(path) if keys & HELM_TOP else None  # a helmfile's consul release names it
    if pinned is not None:
        extra = {"chart_version": pinned.version} if pinned.version else {}
        yield Document(path, index, HELM_VALUES, HELM_VALUES, root, "yaml", extra=extra)
        return
    name = os.path.basename(path)
    # a Chart.yaml matters to chart-like values (an umbrella chart's are under "consul:")
    chart = chart_beside(os.path.dirname(os.path.abspath(path))) if keys & HELM_TOP or "values" in name else None
    if chart is not None and not helm_named:
        if chart.consul_key is not None:  # an umbrella chart: the consul chart's values are below its key
            sub = root.get(chart.consul_key)
            if isinstance(sub, Mapping):
                pinned = {"chart_version": chart.consul_version} if chart.consul_version else {}
                yield Document(path, index, HELM_VALUES, HELM_VALUES, sub, "yaml", extra=pinned)
        return  # another chart's values, or the consul chart's own defaults
    if helm_named and keys & HELM_TOP:
        yield Document(path, index, HELM_VALUES, HELM_VALUES, root, "yaml")
    elif _is_helm_values(root, keys, "yaml", path):
        yield Document(path, index, HELM_VALUES, HELM_VALUES, root, "yaml")
    elif is_weak_helm_values(root, "yaml", path):
        weak = not named_consul(path)
        yield Document(path, index, HELM_VALUES, HELM_VALUES, root, "yaml", extra={"weak_helm": True} if weak else {})


def is_weak_helm_values(root: Node, syntax: str, path: str) -> bool:
    """A Helm layer that sets only chart sections both charts have (``values-dc1.yaml``
    with ``server: {replicas: 5}``): consul chart values only beside strong ones (the
    project decides, once every file is in) or when its name says ``consul``."""
    if syntax != "yaml" or not isinstance(root, Mapping):
        return False
    keys = _folded(root)
    if not keys or not keys <= HELM_TOP or not all(isinstance(v, Mapping) for _k, v in root.items()):
        return False
    name = os.path.basename(path).lower()
    return bool(re.match(r"^(consul[-_.])?values([-_.].*)?\.ya?ml$", name) or "consul" in name)


def named_consul(path: str) -> bool:
    """Whether a file's own name or folder says it is consul's (``consul-values.yaml``,
    ``helm/consul/values.yaml``)."""
    parts = os.path.abspath(path).replace(os.sep, "/").lower().split("/")
    return any("consul" in part for part in parts[-2:])


_HELM_GLOBS: list = [None, None]  # [the configuration, (its helm-values globs, its root folder + sep)]


def _helm_globs(config: Config) -> tuple[tuple[str, ...], str]:
    """Every cluster's helm-values globs in order, and the root they are relative to,
    collected once per configuration (asked for every YAML file)."""
    if _HELM_GLOBS[0] is not config:
        globs = list(config.helm_values_order)
        for cluster in config.clusters.values():
            globs.extend(cluster.helm_values)
        _HELM_GLOBS[:] = [config, (tuple(globs), os.path.abspath(config.root).rstrip(os.sep) + os.sep)]
    return _HELM_GLOBS[1]


def helm_named(path: str, config: Config) -> bool:
    """Whether the configuration names ``path`` as Helm values (a cluster's
    ``helm-values`` or ``helm-values-order``); a helmfile's consul release naming it is
    looked up by :func:`_helm_values` (only for chart-like documents: it stats files)."""
    globs, root = _helm_globs(config)
    if not globs:
        return False
    absolute = os.path.abspath(path)
    if absolute.startswith(root):  # relpath for each YAML file of a fleet was a tenth of the model stage
        rel = absolute[len(root) :].replace(os.sep, "/")
    else:
        rel = os.path.relpath(absolute, os.path.abspath(config.root)).replace(os.sep, "/")
    matcher = one_matcher(globs)
    if matcher is not None:
        return matcher(rel)
    return glob_matches(rel, globs)


def drop_lone_weak_helm(documents: list[Document]) -> list[Document]:
    """Weak Helm layers (only ``server:``/``client:``...) are consul chart values only
    in a folder that also holds strong ones."""
    if not any(doc.extra.get("weak_helm") for doc in documents):
        return documents
    strong = {
        os.path.dirname(doc.path) for doc in documents if doc.category == HELM_VALUES and not doc.extra.get("weak_helm")
    }
    return [doc for doc in documents if not doc.extra.get("weak_helm") or os.path.dirname(doc.path) in strong]
