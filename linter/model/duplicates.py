"""Grouping helpers for PL108 (duplicates): identities Consul and consul-k8s compare,
computed once per document so the rule groups with dicts and stays linear."""

from __future__ import annotations

from typing import Any, Iterator

from linter.kinds import CLUSTER_SCOPED_KINDS
from linter.model import validate as v
from linter.model.document import Document
from linter.model.kustomize import namespace_for
from linter.nodes import Mapping, Node, Scalar, Sequence, fold_key

#: Config entries (and the CRDs that write them) of which a partition holds one.
SINGLETONS = {
    "mesh": "mesh",
    "proxy-defaults": "proxy-defaults",
    "exported-services": "exported-services",
    "Mesh": "mesh",
    "ProxyDefaults": "proxy-defaults",
    "ExportedServices": "exported-services",
}
#: CRD webhooks' "already defined" messages (CREATE with any existing one in the cluster).
SINGLETON_WEBHOOK = {
    "Mesh": "mesh resource already defined - only one mesh entry is supported",
    "ProxyDefaults": "proxydefaults resource already defined - only one global entry is supported",
    "ExportedServices": "exportedservices resource already defined - only one exportedservices entry is supported per Kubernetes cluster",
}


def normalized(node: Node | None) -> Any:
    """A document's content with key spelling folded, to tell a harmless repeat of the
    same entry (HCL and JSON copies) from two entries that overwrite each other."""
    if isinstance(node, Mapping):
        return tuple(sorted((fold_key(str(k.value)), normalized(val)) for k, val in node.entries))
    if isinstance(node, Sequence):
        if len(node.items) == 1 and isinstance(node.items[0], Mapping):
            return normalized(node.items[0])  # an HCL block and a one-item list decode alike
        return tuple(normalized(item) for item in node.items)
    if isinstance(node, Scalar):
        return node.value
    return None


def k8s_object(doc: Document) -> tuple[str, str]:
    """(namespace, name) of a Kubernetes object: an unset namespace is the one a
    kustomization beside the file sets, else ``default`` (kubectl's without a context
    namespace), so a base's copy and an overlay's of one object are one object; a
    cluster-scoped kind has none."""
    if doc.kind in CLUSTER_SCOPED_KINDS:
        return "", doc.name or ""
    meta = v.child(doc.root, "metadata")
    namespace = v.value(meta.get("namespace")) if meta else None
    return (namespace or namespace_for(doc.path) or "default", doc.name or "")


def singleton_key(doc: Document) -> tuple[str, str, str] | None:
    """(cluster, entry kind, partition) of a mesh / proxy-defaults / exported-services."""
    kind = SINGLETONS.get(doc.kind)
    if kind is None:
        return None
    partition = doc.partition
    if not v.is_crd(doc):
        named = v.value(doc.root.get("Name")) if kind == "exported-services" else v.value(doc.root.get("Partition"))
        partition = named or partition
    return doc.cluster, kind, partition


def content(doc: Document) -> Any:
    return normalized(doc.spec) if v.is_crd(doc) else normalized(doc.root)


def source_identity(source: Mapping) -> tuple[str, ...]:
    """Consul's intention source identity: service name (with namespace and partition)
    plus Peer and SamenessGroup. A local and a peer source of one name differ."""
    return tuple(v.value(source.get(f)) or "" for f in ("Name", "Namespace", "Partition", "Peer", "SamenessGroup"))


def upstream_identity(upstream: Mapping) -> str:
    """structs.UpstreamKey.String(): what Consul prints for a duplicate upstream."""
    get = lambda *names: v.value(upstream.get(*names)) or ""
    return '[type="%s", name="%s", partition="%s", namespace="%s", peer="%s", datacenter="%s"]' % (
        get("destination_type") or "service",
        get("destination_name"),
        get("destination_partition"),
        get("destination_namespace"),
        get("destination_peer"),
        get("datacenter"),
    )


def bind_target(upstream: Mapping) -> tuple[Node | None, str]:
    """(node to point at, "address:port" or socket path) an upstream listens on."""
    socket = upstream.get("local_bind_socket_path")
    if v.is_set(socket):
        return socket, v.value(socket) or ""
    port = upstream.get("local_bind_port")
    if not v.truthy(port):
        return None, ""
    address = v.value(upstream.get("local_bind_address")) or "127.0.0.1"
    host = f"[{address}]" if ":" in address else address
    return port, f"{host}:{v.value(port)}"


def repeated(items: Iterator[tuple[Any, Node]]) -> Iterator[tuple[Node, Node, Any]]:
    """(later node, first node, key) for every key seen before."""
    seen: dict[Any, Node] = {}
    for key, node in items:
        if key in seen:
            yield node, seen[key], key
        else:
            seen[key] = node


def single_consul_namespace(context: Any, enterprise: bool) -> bool | None:
    """The webhooks' ``singleConsulDestNS := !(NamespacesEnabled && Mirroring)``: whether
    every custom resource of the cluster writes into one Consul namespace (then names
    must be unique across Kubernetes namespaces). ``context`` is the webhook's
    enablement (``namespaces_enabled``, ``mirroring``; None where unknown). Without
    Helm values a CE cluster has no namespaces; an Enterprise one is unknown (None)."""
    namespaces = getattr(context, "namespaces_enabled", None)
    if namespaces is None and not enterprise:
        namespaces = False
    if namespaces is False:
        return True
    mirroring = getattr(context, "mirroring", None)
    if namespaces and mirroring is not None:
        return not mirroring
    return None


def intention_consul_namespace(doc: Document, context: Any) -> tuple[str, str]:
    """(kind, value) of the Consul namespace a ServiceIntentions' destination lands in
    with namespaces and mirroring on, after the webhook's ``DefaultNamespaceFields``
    (an unset ``spec.destination.namespace`` becomes the mirroring prefix plus the
    resource's Kubernetes namespace). ``("ns", name)`` when known; ``("k8s", namespace)``
    when the prefix is unknown: equal only to another unset one in the same namespace."""
    _dest, namespace = v.intention_destination(doc)
    explicit = v.value(namespace) if namespace is not None else None
    if explicit:
        return "ns", str(explicit)
    kube = k8s_object(doc)[0]
    prefix = getattr(context, "mirroring_prefix", None)
    return ("ns", f"{prefix}{kube}") if prefix is not None else ("k8s", kube)
