"""Field pairs Consul and consul-k8s refuse to see set together (PL106), as data.

Each table row is (first field, second field, Consul's message, consul-k8s's message):
the rule reports the key written later, in the words of whichever tool would refuse the
document (Consul for config entries and agent files, the webhook for CRDs). Keeping the
pairs here keeps the rule module a short loop and lets a new pair be one line.
"""

from __future__ import annotations

from typing import Iterator

from linter.model import validate as v
from linter.model.document import Document
from linter.nodes import Mapping, Node

#: service-resolver Redirect (ServiceResolverRedirect.ValidateEnterprise / CRD validateRedirect).
REDIRECT = (
    ("SamenessGroup", "ServiceSubset", None, "samenessGroup cannot be set with serviceSubset"),
    ("SamenessGroup", "Partition", None, "partition cannot be set with samenessGroup"),
    ("SamenessGroup", "Datacenter", None, "samenessGroup cannot be set with datacenter"),
    (
        "Peer",
        "ServiceSubset",
        "Redirect.Peer cannot be set with Redirect.ServiceSubset",
        "peer cannot be set with serviceSubset",
    ),
    ("Partition", "Peer", "Redirect.Partition cannot be set with Redirect.Peer", "partition cannot be set with peer"),
    (
        "Peer",
        "Datacenter",
        "Redirect.Peer cannot be set with Redirect.Datacenter",
        "peer cannot be set with datacenter",
    ),
)
#: A failover target.
TARGET = (
    (
        "Peer",
        "ServiceSubset",
        "Peer cannot be set with ServiceSubset",
        "target.peer cannot be set with target.serviceSubset",
    ),
    ("Partition", "Peer", "Partition cannot be set with Peer", "target.partition cannot be set with target.peer"),
    ("Peer", "Datacenter", "Peer cannot be set with Datacenter", "target.peer cannot be set with target.datacenter"),
    (
        "Partition",
        "Datacenter",
        "Partition cannot be set with Datacenter",
        "target.partition cannot be set with target.datacenter",
    ),
)
#: A failover block (per subset key).
FAILOVER = (
    ("SamenessGroup", "Datacenters", None, "samenessGroup cannot be set with datacenters"),
    ("SamenessGroup", "ServiceSubset", None, "samenessGroup cannot be set with serviceSubset"),
    ("SamenessGroup", "Targets", None, "samenessGroup cannot be set with targets"),
    ("Datacenters", "Targets", "Targets cannot be set with Datacenters", "targets cannot be set with datacenters"),
    (
        "ServiceSubset",
        "Targets",
        "Targets cannot be set with ServiceSubset",
        "targets cannot be set with serviceSubset",
    ),
    ("Service", "Targets", "Targets cannot be set with Service", "targets cannot be set with service"),
)
#: An intention source. For config entries these fire in Enterprise only: Consul's
#: Partition checks read PartitionOrEmpty(), "" in CE (where a Partition key is a decode
#: error), and CE refuses SamenessGroup before it gets here (both are PL109's).
#: consul-k8s's webhook does not look at the edition.
SOURCE = (
    (
        "Peer",
        "Partition",
        "Peer: cannot set Peer and Partition at the same time.",
        "cannot set peer and partition at the same time.",
    ),
    (
        "SamenessGroup",
        "Partition",
        "SamenessGroup: cannot set SamenessGroup and Partition at the same time",
        "cannot set samenessgroup and partition at the same time.",
    ),
    (
        "SamenessGroup",
        "Peer",
        "SamenessGroup: cannot set SamenessGroup and Peer at the same time",
        "cannot set samenessgroup and peer at the same time.",
    ),
)
HTTP_PATHS = ("PathExact", "PathPrefix", "PathRegex")
HEADER_MATCHERS = ("Present", "Exact", "Prefix", "Suffix", "Contains", "Regex")

Hit = tuple[Node | None, str, str]  # (node, message, fix)


def first_pair(mapping: Mapping, table: tuple, crd: bool) -> Iterator[tuple[Node, str, str, str]]:
    """(later key, first name, second name, message) for each conflicting row that
    applies to this syntax (a row with no message for it does not)."""
    for first, second, entry_msg, crd_msg, *_ in table:
        msg = crd_msg if crd else entry_msg
        node = v.pair(mapping, first, second) if msg else None
        if node is not None:
            yield node, first, second, msg


def resolver(doc: Document) -> Iterator[Hit]:
    crd = v.is_crd(doc)
    redirect = v.child(doc.spec, "Redirect")
    failover = v.child(doc.spec, "Failover")
    if redirect is not None and failover is not None and failover.entries:
        key = v.later(doc.spec.key("Redirect"), doc.spec.key("Failover"))
        msg = (
            "service resolver redirect and failover cannot both be set"
            if crd
            else "Redirect and Failover cannot both be set"
        )
        yield key, msg, "keep either Redirect or Failover"
    if redirect is not None:
        for node, _first, _second, msg in list(first_pair(redirect, REDIRECT, crd))[: 1 if crd else None]:
            yield (
                node,
                (v.crd_error(doc, "spec.redirect", msg, redirect) if crd else msg),
                f"remove {node.value}: a redirect to a peer names the peer's service only",
            )
    for key, body in v.failovers(doc):
        for node, _first, _second, msg in list(first_pair(body, FAILOVER, crd))[: 1 if crd else None]:
            yield (
                node,
                (v.crd_error(doc, f"spec.failover[{key}]", msg, body) if crd else f'Bad Failover["{key}"]: {msg}'),
                "use either Targets or the older Service/ServiceSubset/Datacenters fields",
            )
        for k, target in v.mappings(body.get("Targets")):
            for node, first, second, msg in list(first_pair(target, TARGET, crd))[:1]:
                where = f"spec.failover[{key}].targets[{k}]"
                yield (
                    node,
                    (v.crd_error(doc, where, msg, target) if crd else f'Bad Failover["{key}"].Targets[{k}]: {msg}'),
                    f"split {first} and {second} into two targets",
                )


def intention(doc: Document, enterprise: bool) -> Iterator[Hit]:
    crd = v.is_crd(doc)
    for i, source in v.intention_sources(doc):
        base = v.source_path(doc, i)
        for first, second, entry_msg, crd_msg in SOURCE:
            if not crd and not enterprise:
                continue  # CE: Consul refuses the Partition key / SamenessGroup first (PL109)
            node = v.pair(source, first, second)
            if node is not None:
                msg = v.crd_error(doc, base, crd_msg, source) if crd else f"{base}.{entry_msg}"
                yield (
                    node,
                    msg,
                    f"a source is one of: a local service, a peer's service or a sameness group; remove {node.value} or split the source",
                )
        perms = source.entry("Permissions")
        action = source.entry("Action")
        if perms is not None and v.truthy(perms[1]) and action is not None and v.truthy(action[1]):
            msg = (
                "action and permissions are mutually exclusive and only one of them can be specified"
                if crd
                else f"{base}.Action must be omitted if Permissions are specified"
            )
            yield (
                action[0],
                (v.crd_error(doc, base, msg, source) if crd else msg),
                "remove Action; each permission carries its own action",
            )
        for j, perm in v.mappings(source.get("Permissions")):
            yield from _http(
                doc, v.child(perm, "HTTP"), f"{base}.permissions[{j}].http" if crd else f"{base}.Permissions[{j}].HTTP"
            )


def _http(doc: Document, http: Mapping | None, base: str) -> Iterator[Hit]:
    if http is None:
        return
    crd = v.is_crd(doc)
    paths = [
        key for name, key in ((n, http.key(n)) for n in HTTP_PATHS) if key is not None and v.truthy(http.get(name))
    ]
    if len(paths) > 1:
        msg = (
            "at most only one of pathExact, pathPrefix, or pathRegex may be configured."
            if crd
            else f"{base} should only contain at most one of PathExact, PathPrefix, or PathRegex"
        )
        yield (
            v.later(*paths),
            (v.crd_error(doc, base, msg, http) if crd else msg),
            "keep one path matcher; use a second permission for another path",
        )
    for k, header in v.mappings(http.get("Header")):
        matchers = [header.key(n) for n in HEADER_MATCHERS if v.truthy(header.get(n))]
        if len(matchers) > 1:
            msg = (
                "at most only one of exact, prefix, suffix, contains, regex, or present may be configured."
                if crd
                else f"{base}.Header[{k}] should only contain one of Present, Exact, Prefix, Suffix, or Regex"
            )
            yield (
                v.later(*matchers),
                (v.crd_error(doc, f"{base}.header[{k}]", msg, header) if crd else msg),
                "keep one matcher per header; add another header entry for another condition",
            )
        elif (
            crd
            and v.truthy(header.get("ignoreCase"))
            and (v.truthy(header.get("present")) or v.truthy(header.get("regex")))
        ):
            msg = "should set one of exact, prefix, suffix, or contains when using ignoreCase."
            yield (
                header.key("ignoreCase"),
                v.crd_error(doc, f"{base}.header[{k}]", msg, header),
                "remove ignoreCase, or match with exact/prefix/suffix/contains",
            )
