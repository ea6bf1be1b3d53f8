"""Shared reading helpers for the PL105-PL109 rules (Consul's and consul-k8s's
Validate() and webhook semantics beyond shape).

Config entries (``Services[].Consumers[].Peer``) and CRDs
(``spec.services[].consumers[].peer``) carry the same fields in different spellings;
``Mapping.get`` folds spelling, so every iterator here serves both, and the rules only
choose the message: Consul's own words for config entries, consul-k8s's webhook words
(``<kind>.consul.hashicorp.com "<name>" is invalid: <path>: ...``) for CRDs, since
that is what ``consul config write`` and ``kubectl apply`` would print.
"""

from __future__ import annotations

import re
from typing import Iterator

from linter.kinds import webhook_prefix
from linter.model.document import CRD, Document, text
from linter.nodes import Mapping, Node, Scalar, as_list

WILDCARD = "*"

#: agent/rpc/peering/validate.go: a lowercase RFC-1123 label of 1-63 characters.
PEER_NAME = re.compile(r"^[a-z0-9]([a-z0-9\-]{0,61}[a-z0-9])?$")
PEER_NAME_HELP = (
    "a valid peering name must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character"
)
#: agent/config/builder.go dcValid (applied after the builder lower-cases the value).
DATACENTER_NAME = re.compile(r"^[a-z0-9_-]+$")

#: consul-k8s ServiceResolver subset names.
SUBSET_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
SUBSET_NAME_HELP = (
    "subset name must begin or end with lower case alphanumeric characters, "
    "and contain lower case alphanumeric characters or '-' in between"
)


def is_crd(doc: Document) -> bool:
    return doc.category == CRD


def value(node: Node | None) -> str | None:
    """A scalar as a string; None for absent, null and containers."""
    return text(node)


def is_set(node: Node | None) -> bool:
    """Go's ``!= ""`` on a string field: present and not empty."""
    found = value(node)
    return found is not None and found != ""


def truthy(node: Node | None) -> bool:
    """Go's zero-value test for any field: non-empty string, non-zero number, true,
    non-empty list or map."""
    if node is None:
        return False
    if isinstance(node, Scalar):
        return node.value not in (None, "", 0, False) and node.value != "0"
    if isinstance(node, Mapping):
        return bool(node.entries)
    return bool(getattr(node, "items", None))


def pair(mapping: Mapping, first: str, second: str) -> Scalar | None:
    """When both fields are set, the key written later (the one to remove)."""
    a, b = mapping.entry(first), mapping.entry(second)
    if a is None or b is None or not truthy(a[1]) or not truthy(b[1]):
        return None
    return later(a[0], b[0])  # type: ignore[return-value]


def mappings(node: Node | None) -> Iterator[tuple[int, Mapping]]:
    """(index, item) for the Mapping items of a list (or one HCL block)."""
    for i, item in enumerate(as_list(node)):
        if isinstance(item, Mapping):
            yield i, item


def child(mapping: Node | None, *names: str) -> Mapping | None:
    node = mapping.get(*names) if isinstance(mapping, Mapping) else None
    return node if isinstance(node, Mapping) else None


def later(*nodes: Node | None) -> Node | None:
    """The node written last in the file: the one that makes a pair conflict."""
    present = [n for n in nodes if n is not None]
    return max(present, key=lambda n: (n.span.line, n.span.col)) if present else None


def set_keys(mapping: Mapping, *names: str) -> list[tuple[str, Scalar]]:
    """(canonical name, key node) for each of ``names`` set to a non-empty value."""
    out = []
    for name in names:
        entry = mapping.entry(name)
        if entry is not None and is_set(entry[1]):
            out.append((name, entry[0]))
    return out


def crd_error(doc: Document, path: str, message: str, node: Node | None = None, kind: str = "Invalid value") -> str:
    """consul-k8s's admission error text (``apierrors.NewInvalid``)."""
    if kind == "Invalid value":
        shown = '"%s"' % value(node) if value(node) is not None else ("{...}" if node is not None else "null")
        detail = f"{path}: Invalid value: {shown}: {message}"
    else:
        detail = f"{path}: {kind}: {message}"
    return webhook_prefix(doc.kind, doc.name or "") + detail


# --- iterators over the places a field lives, for config entries and CRDs alike ---


def exported_services(doc: Document) -> Iterator[tuple[int, Mapping]]:
    yield from mappings(doc.spec.get("Services"))


def exported_consumers(doc: Document) -> Iterator[tuple[int, int, Mapping, Mapping]]:
    """(service index, consumer index, service, consumer)."""
    for i, service in exported_services(doc):
        for j, consumer in mappings(service.get("Consumers")):
            yield i, j, service, consumer


def consumer_path(doc: Document, i: int, j: int) -> str:
    return f"spec.services[{i}].consumers[{j}]" if is_crd(doc) else f"Services[{i}].Consumers[{j}]"


def intention_sources(doc: Document) -> Iterator[tuple[int, Mapping]]:
    yield from mappings(doc.spec.get("Sources"))


def source_path(doc: Document, i: int) -> str:
    return f"spec.sources[{i}]" if is_crd(doc) else f"Sources[{i}]"


def intention_destination(doc: Document) -> tuple[Node | None, Node | None]:
    """(name node, namespace node) of an intention's destination."""
    if is_crd(doc):
        dest = child(doc.spec, "destination")
        return (dest.get("name"), dest.get("namespace")) if dest else (None, None)
    return doc.root.get("Name"), doc.root.get("Namespace")


def resolver_targets(doc: Document) -> Iterator[tuple[str, Mapping]]:
    """(Consul-style label, mapping) for the redirect and every failover target."""
    redirect = child(doc.spec, "Redirect")
    if redirect is not None:
        yield "Redirect", redirect
    for key, failover in failovers(doc):
        for k, target in mappings(failover.get("Targets")):
            yield f"Failover[{key!r}].Targets[{k}]".replace("'", '"'), target


def failovers(doc: Document) -> Iterator[tuple[str, Mapping]]:
    failover = child(doc.spec, "Failover")
    if failover is not None:
        for key, body in failover.items():
            if isinstance(body, Mapping):
                yield str(key.value), body


def upstreams(doc: Document) -> Iterator[tuple[Mapping, list[Mapping]]]:
    """(proxy, its upstreams) for a service definition and its sidecar_service."""
    bodies = [doc.root]
    connect = child(doc.root, "connect")
    sidecar = child(connect, "sidecar_service")
    if sidecar is not None:
        bodies.append(sidecar)
    for body in bodies:
        proxy = child(body, "proxy")
        if proxy is not None:
            yield proxy, [u for _, u in mappings(proxy.get("upstreams"))]


def peer_name_problem(node: Node | None, star: str = "") -> str | None:
    """Consul's message if ``node`` is a peer name no peering can have. Empty means
    local. Where Consul has its own wildcard check (PL107 reports it), ``star`` says
    which values that check takes: "exact" (``*``) or "contains" (any ``*``)."""
    name = value(node)
    if not name or PEER_NAME.match(name):
        return None
    if (star == "exact" and name == WILDCARD) or (star == "contains" and WILDCARD in name):
        return None
    return f"{name} is not a valid peer name: {PEER_NAME_HELP}"


def suggest_peer_name(name: str) -> str:
    fixed = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")[:63].strip("-")
    return fixed or "peer-1"


def upstream_overrides(doc: Document) -> Iterator[tuple[int, Mapping]]:
    """service-defaults ``UpstreamConfig.Overrides[]`` (CRD ``spec.upstreamConfig.overrides``)."""
    yield from mappings((child(doc.spec, "UpstreamConfig") or Mapping([], doc.spec.span)).get("Overrides"))


def known_partition(project, doc: Document) -> str | None:
    """The partition a document is known to be written to: only when the project
    configuration places its cluster ([clusters.NAME] partition); otherwise None, and
    the rules that need it stay silent."""
    cluster = project.config.clusters.get(doc.cluster)
    return cluster.partition if cluster is not None else None
