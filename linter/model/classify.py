"""What kind of Consul configuration a parsed document is.

Classification looks only at the shape of the top level, cheaply, because most
YAML in a repository is not Consul's: anything unrecognised is ignored silently.
"""

from __future__ import annotations

import os
import re
from typing import Iterator

from linter.config import Config
from linter.globs import matches as glob_matches
from linter.model.charts import chart_beside
from linter.model.document import (
    ACL_POLICY,
    ACL_POLICY_API,
    ACL_TOKEN,
    AGENT_CONFIG,
    CONFIG_ENTRY,
    CRD,
    HELM_VALUES,
    K8S_SECRET,
    K8S_WORKLOAD,
    SERVICE_DEFINITION,
    Document,
)
from linter.model.foreign import foreign_keys
from linter.model.helmfile import helmfile_values
from linter.nodes import Mapping, Node, Sequence, as_list, fold_key

CONSUL_GROUP = "consul.hashicorp.com"
ANNOTATION_PREFIX = "consul.hashicorp.com/"
WORKLOAD_KINDS = {
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Job",
    "CronJob",
}

ACL_RULE_KEYS = {
    "acl",
    "agent",
    "agentprefix",
    "key",
    "keyprefix",
    "node",
    "nodeprefix",
    "service",
    "serviceprefix",
    "session",
    "sessionprefix",
    "event",
    "eventprefix",
    "query",
    "queryprefix",
    "keyring",
    "operator",
    "mesh",
    "peering",
    "partition",
    "partitionprefix",
    "namespace",
    "namespaceprefix",
    "identity",
    "identityprefix",
}
#: Top-level agent configuration keys that never appear in other documents.
AGENT_MARKERS = {
    "datacenter",
    "datadir",
    "server",
    "bootstrapexpect",
    "bootstrap",
    "retryjoin",
    "retryjoinwan",
    "primarydatacenter",
    "primarygateways",
    "nodename",
    "clientaddr",
    "bindaddr",
    "advertiseaddr",
    "ports",
    "addresses",
    "connect",
    "peering",
    "acl",
    "encrypt",
    "tls",
    "autoencrypt",
    "ui",
    "uiconfig",
    "loglevel",
    "configentries",
    "telemetry",
    "performance",
    "recursors",
    "dns",
    "domain",
    "verifyincoming",
    "verifyoutgoing",
    "ca_file",
    "cafile",
    "certfile",
    "keyfile",
    "enablelocalscriptchecks",
    "startjoin",
    "translatewanaddrs",
    "advertiseaddrwan",
    "partition",
    "segment",
    "limits",
    "autoconfig",
    "rejoinafterleave",
    "leaveonterminate",
    "enablesyslog",
    "auditing",
    "audit",
    "license_path",
    "licensepath",
    "disableremoteexec",
    "node_meta",
    "nodemeta",
}
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
HELM_GLOBAL = {
    "datacenter",
    "image",
    "imagek8s",
    "imageconsuldataplane",
    "peering",
    "tls",
    "acls",
    "federation",
    "adminpartitions",
    "gossipencryption",
    "enterpriselicense",
    "secretsbackend",
    "name",
    "domain",
    "metrics",
    "enableconsulnamespaces",
}
TOKEN_KEYS = {"secretid", "accessorid"}


def _folded(root: Mapping) -> set[str]:
    return {fold_key(k) for k in root.keys()}


def _is_acl_rules(root: Mapping, keys: set[str]) -> bool:
    if not keys or not keys <= ACL_RULE_KEYS:
        return False
    for key, value in root.items():
        if fold_key(str(key.value)) in ("service", "node", "agent", "key", "session", "event", "query"):
            # rules: service "name" { policy = ... }; service definition: service { name = ... }
            for block in as_list(value):
                if not isinstance(block, Mapping):
                    return False
                if "policy" in block or "intentions" in block:
                    return False  # an unlabelled block with policy is not valid rules
                for _label, body in block.items():
                    if not isinstance(body, Mapping) and not (isinstance(body, Sequence)):
                        return False
    return True


def classify(root: Node, path: str, index: int, syntax: str, helm_named: bool = False) -> Iterator[Document]:
    """The Consul documents in one parsed tree (none, one, or several embedded).
    ``helm_named``: the configuration names the file as Helm values."""
    if not isinstance(root, Mapping):
        return
    keys = _folded(root)
    api_version = root.value("apiVersion")
    kube_kind = root.exact("kind")
    if isinstance(api_version, str) and "kind" in root:
        kind = root.value("kind")
        if not isinstance(kind, str):
            return
        group = api_version.split("/", 1)[0]
        if group == CONSUL_GROUP or group.endswith("." + CONSUL_GROUP):
            yield Document(path, index, CRD, kind, root, syntax)
        elif api_version == "v1" and kind == "Secret":
            yield Document(path, index, K8S_SECRET, K8S_SECRET, root, syntax)
        elif kind in WORKLOAD_KINDS and _has_consul_annotations(root):
            yield Document(path, index, K8S_WORKLOAD, kind, root, syntax)
        elif kind == "List":
            for i, item in enumerate(as_list(root.get("items"))):
                yield from classify(item, path, index * 1000 + i, syntax)
        return
    entry_kind = root.exact("Kind") if root.exact("Kind") is not None else kube_kind
    if entry_kind is not None and api_version is None:
        kind = getattr(entry_kind, "value", None)
        if isinstance(kind, str) and "accessorid" not in keys:
            yield Document(path, index, CONFIG_ENTRY, kind, root, syntax)
            return
    if (
        keys & TOKEN_KEYS
        or (
            "policies" in keys
            and keys
            & {
                "description",
                "serviceidentities",
                "nodeidentities",
                "local",
                "roles",
                "templatedpolicies",
                "expirationttl",
            }
        )
        or ("serviceidentities" in keys)
    ):
        yield Document(path, index, ACL_TOKEN, ACL_TOKEN, root, syntax)
        return
    if "rules" in keys and "name" in keys and isinstance(root.value("Rules"), str):
        yield Document(path, index, ACL_POLICY_API, ACL_POLICY_API, root, syntax)
        return
    if syntax == "yaml":
        yield from _helm_values(root, keys, path, index, helm_named)
        return  # Consul reads agent configuration, services and policies as HCL or JSON only
    if foreign_keys(keys):
        return  # Nomad, Vault, Terraform, Packer, Terragrunt or Boundary configuration
    if _is_acl_rules(root, keys):
        yield Document(path, index, ACL_POLICY, ACL_POLICY, root, syntax)
        return
    if keys & AGENT_MARKERS:
        agent = Document(path, index, AGENT_CONFIG, AGENT_CONFIG, root, syntax)
        yield agent
        yield from _embedded(agent)
        return
    if "service" in keys or "services" in keys:
        yield from _service_definitions(root, path, index, syntax, None)


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


def _has_consul_annotations(root: Mapping) -> bool:
    for notes in workload_annotation_maps(root):
        if any(str(k.value).startswith(ANNOTATION_PREFIX) for k, _ in notes.items()):
            return True
    return False


def workload_annotation_maps(root: Mapping) -> Iterator[Mapping]:
    """The annotation maps of a workload: its own and its pod template's."""
    candidates: list[Node | None] = [root.get("metadata")]
    spec = root.get("spec")
    for _ in range(3):  # CronJob -> jobTemplate.spec -> template
        if not isinstance(spec, Mapping):
            break
        template = spec.get("template")
        if isinstance(template, Mapping):
            candidates.append(template.get("metadata"))
            spec = template.get("spec")
        else:
            job = spec.get("jobTemplate")
            spec = job.get("spec") if isinstance(job, Mapping) else None
    for meta in candidates:
        if isinstance(meta, Mapping):
            annotations = meta.get("annotations")
            if isinstance(annotations, Mapping):
                yield annotations


def _service_definitions(
    root: Mapping, path: str, index: int, syntax: str, parent: Document | None
) -> Iterator[Document]:
    for key in ("service", "services"):
        for i, body in enumerate(as_list(root.get(key))):
            if isinstance(body, Mapping):
                yield Document(
                    path,
                    index,
                    SERVICE_DEFINITION,
                    SERVICE_DEFINITION,
                    body,
                    syntax,
                    parent=parent,
                    extra={"position": i},
                )


def _embedded(agent: Document) -> Iterator[Document]:
    """Services and bootstrap config entries written inside an agent configuration."""
    yield from _service_definitions(agent.root, agent.path, agent.index, agent.syntax, agent)
    entries = agent.root.get("config_entries")
    if isinstance(entries, Mapping):
        for i, entry in enumerate(as_list(entries.get("bootstrap"))):
            if isinstance(entry, Mapping):
                kind = entry.exact("Kind") or entry.exact("kind")
                value = getattr(kind, "value", None)
                if isinstance(value, str):
                    yield Document(
                        agent.path,
                        agent.index,
                        CONFIG_ENTRY,
                        value,
                        entry,
                        agent.syntax,
                        parent=agent,
                        extra={"bootstrap": i},
                    )


def helm_named(path: str, config: Config) -> bool:
    """Whether the configuration names ``path`` as Helm values (a cluster's
    ``helm-values`` or ``helm-values-order``); a helmfile's consul release naming it is
    looked up by :func:`_helm_values` (only for chart-like documents: it stats files)."""
    globs = list(config.helm_values_order)
    for cluster in config.clusters.values():
        globs.extend(cluster.helm_values)
    if not globs:
        return False
    rel = os.path.relpath(os.path.abspath(path), os.path.abspath(config.root)).replace(os.sep, "/")
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
