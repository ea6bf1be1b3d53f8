"""Peerings: PeeringAcceptor/PeeringDialer custom resources paired across clusters, and
``[[peerings]]`` from the config (peerings made with the CLI).

A CR's ``metadata.name`` is the local name of the *other* cluster. Acceptor in A named
N pairs with dialer in B named M, in this order of confidence:

1. N is B's peer name and M is A's peer name (the names agree);
2. the secrets agree (name and key) and neither name points elsewhere;
3. one name points at the other cluster, the other points nowhere, and the pair is the
   only candidate.

Each stage looks candidates up by name or by secret in dicts, so pairing is linear.

Part of the build: :mod:`linter.graph.build` hands its :class:`TopologyIndexes` (the
clusters, partitions and peer names found so far) and the peering CRs; pairing adds the
peerings to those indexes, before the builder makes the Topology from them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterable

from linter.config_lines import config_display_path, config_line_span, config_lines
from linter.graph.query import Peering, TopologyIndexes
from linter.model.document import CRD, TF_PEERING, Document, text
from linter.nodes import Mapping

if TYPE_CHECKING:
    from linter.config import Config


def _secret(doc) -> tuple[object | None, object | None]:
    peer = doc.spec.get("peer")
    secret = peer.get("secret") if isinstance(peer, Mapping) else None
    if not isinstance(secret, Mapping):
        return None, None
    return secret.get("name"), secret.get("key")


def _peer_name_of(ix: TopologyIndexes, cluster: str) -> str:
    """As :meth:`Topology.peer_name_of`, on the indexes being built."""
    return ix.peer_names.get(cluster, cluster)


def _by_name(ix: TopologyIndexes) -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for cluster in sorted(ix.cluster_partitions):
        index.setdefault(_peer_name_of(ix, cluster), []).append(cluster)
    return index


def _remote_partition(config: Config, ix: TopologyIndexes, cluster: str) -> str:
    configured = config.clusters.get(cluster)
    if configured is not None:
        return configured.partition
    parts = sorted(ix.cluster_partitions.get(cluster, ()))
    return parts[0] if len(parts) == 1 else "default"


def pair_peerings(
    acceptors: Iterable[Document], dialers: Iterable[Document], config: Config, ix: TopologyIndexes
) -> None:
    """Add the peerings of the CRs (``acceptors``, ``dialers``: file order) and of the
    config's ``[[peerings]]`` to ``ix.all_peerings`` and the per-partition index (and
    their partitions to ``ix.cluster_partitions``)."""
    names = _by_name(ix)

    def resolve(name: str, exclude: str) -> str | None:
        found = [c for c in names.get(name, ()) if c != exclude]
        return found[0] if len(found) == 1 else None

    sides: dict[str, list[Peering]] = {"acceptor": [], "dialer": []}
    for docs, role in ((acceptors, "acceptor"), (dialers, "dialer")):
        for doc in docs:
            if doc.category == CRD:
                name, node = doc.name, doc.name_node()
                secret_name, secret_key = _secret(doc)
            elif doc.category == TF_PEERING:  # consul_peering_token / consul_peering
                name, node = doc.root.value("PeerName"), doc.root.get("PeerName")
                secret_name, secret_key = doc.root.get("Token"), None
            else:
                continue
            if not isinstance(name, str) or not name:
                continue
            ix.cr_clusters.add(doc.cluster)
            remote = resolve(name.lower(), doc.cluster)
            sides[role].append(
                Peering(
                    doc.cluster,
                    doc.partition,
                    name.lower(),
                    remote,
                    _remote_partition(config, ix, remote) if remote else None,
                    role,
                    doc,
                    node,
                    secret_name=secret_name,
                    secret_key=secret_key,
                )
            )
    unpaired = set(range(len(sides["dialer"])))

    def link(acceptor: Peering, index: int) -> None:
        dialer = sides["dialer"][index]
        unpaired.discard(index)
        acceptor.partner, dialer.partner = dialer, acceptor
        acceptor.remote_cluster, acceptor.remote_partition = dialer.cluster, dialer.partition
        dialer.remote_cluster, dialer.remote_partition = acceptor.cluster, acceptor.partition

    def candidates(acceptor: Peering) -> list[int]:
        return [
            i
            for i in unpaired
            if (sides["dialer"][i].cluster, sides["dialer"][i].partition) != (acceptor.cluster, acceptor.partition)
        ]

    # Stage 0: a consul_peering that reads a consul_peering_token's token (Terraform: certain).
    tokens = {
        (a.doc.extra.get("module"), text(a.secret_name)): a
        for a in sides["acceptor"]
        if a.doc is not None and a.doc.category == TF_PEERING and text(a.secret_name)
    }
    for i, dialer in enumerate(sides["dialer"]):
        if dialer.doc is not None and dialer.doc.category == TF_PEERING:
            acceptor = tokens.get((dialer.doc.extra.get("module"), text(dialer.secret_name)))
            if acceptor is not None and acceptor.partner is None:
                link(acceptor, i)
    # Stage 1: the names agree.
    by_place: dict[tuple[str, str], list[int]] = {}
    for i, dialer in enumerate(sides["dialer"]):
        by_place.setdefault((dialer.cluster, dialer.peer_name), []).append(i)
    for acceptor in sides["acceptor"]:
        if acceptor.remote_cluster is None:
            continue
        for i in by_place.get((acceptor.remote_cluster, _peer_name_of(ix, acceptor.cluster)), ()):
            if i in unpaired:
                link(acceptor, i)
                break
    # Stage 2: the secrets agree and no name points elsewhere.
    by_secret: dict[tuple[str | None, str | None], list[int]] = {}
    for i in unpaired:
        dialer = sides["dialer"][i]
        by_secret.setdefault((text(dialer.secret_name), text(dialer.secret_key)), []).append(i)
    for acceptor in sides["acceptor"]:
        if acceptor.partner is not None or text(acceptor.secret_name) is None:
            continue
        fits = [
            i
            for i in by_secret.get((text(acceptor.secret_name), text(acceptor.secret_key)), ())
            if i in unpaired and _fits(acceptor, sides["dialer"][i], resolve)
        ]
        if len(fits) == 1:
            link(acceptor, fits[0])
    # Stage 3: one name points at the other cluster; the only candidate.
    for acceptor in sides["acceptor"]:
        if acceptor.partner is not None:
            continue
        fits = [i for i in candidates(acceptor) if _fits(acceptor, sides["dialer"][i], resolve, strict=True)]
        if len(fits) == 1:
            link(acceptor, fits[0])
    for peering in sides["acceptor"] + sides["dialer"]:
        _add(ix, peering)
    _config_peerings(config, ix)


def _fits(acceptor: Peering, dialer: Peering, resolve: Callable[[str, str], str | None], strict: bool = False) -> bool:
    """Whether neither side's name points at a third cluster (and, strictly, at least
    one points at the other side)."""
    a_points = resolve(acceptor.peer_name, acceptor.cluster)
    d_points = resolve(dialer.peer_name, dialer.cluster)
    if (acceptor.cluster, acceptor.partition) == (dialer.cluster, dialer.partition):
        return False
    ok = a_points in (None, dialer.cluster) and d_points in (None, acceptor.cluster)
    if strict:
        ok = ok and (a_points == dialer.cluster or d_points == acceptor.cluster) and dialer.partner is None
    return ok


def _add(ix: TopologyIndexes, peering: Peering) -> None:
    ix.all_peerings.append(peering)
    ix.peerings.setdefault((peering.cluster, peering.partition), []).append(peering)
    ix.cluster_partitions.setdefault(peering.cluster, set()).add(peering.partition)


def _config_peerings(config: Config, ix: TopologyIndexes) -> None:
    lines = config_lines(config) if config.peerings else None
    for entry in config.peerings:
        path = config_display_path(config)
        span = config_line_span(lines, entry.line or 1)
        ends = [(entry.a, entry.b), (entry.b, entry.a)]
        for local, remote in ends:
            ix.cluster_partitions.setdefault(local, set())
            local_part = _remote_partition(config, ix, local)
            ix.cluster_partitions[local].add(local_part)
            _add(
                ix,
                Peering(
                    local,
                    local_part,
                    _peer_name_of(ix, remote),
                    remote,
                    _remote_partition(config, ix, remote),
                    "config",
                    config_path=path,
                    config_span=span,
                ),
            )
