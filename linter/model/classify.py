"""What kind of Consul configuration a parsed document is.

Classification looks only at the shape of the top level, cheaply, because most
YAML in a repository is not Consul's: anything unrecognised is ignored silently.
"""

from __future__ import annotations

from typing import Iterator

from linter.model.document import (
    ACL_POLICY,
    ACL_POLICY_API,
    ACL_TOKEN,
    AGENT_CONFIG,
    CONFIG_ENTRY,
    CRD,
    K8S_SECRET,
    K8S_WORKLOAD,
    SERVICE_DEFINITION,
    Document,
)
from linter.model.foreign import foreign_keys
from linter.model.helmdocs import _helm_values
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
    "featuregates",  # Consul 2.1.0+: feature_gates { bootstrap = {...} } may be a server's whole file
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
TOKEN_KEYS = {"secretid", "accessorid"}


def _folded(root: Mapping) -> set[str]:
    return {fold_key(k) for k in root.keys()}


def _is_acl_rules(root: Mapping, keys: set[str]) -> bool:
    if not keys or not keys <= ACL_RULE_KEYS:
        return False
    for key, value in root.items():
        if fold_key(str(key.value)) in ("acl", "keyring", "operator", "mesh", "peering") and isinstance(value, Mapping):
            # rules: peering = "read"; an agent configuration: peering { enabled = true }
            return False
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
