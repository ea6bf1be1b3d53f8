"""Questions that combine topology items (which exports reach a peer, which peered
upstreams call an export, which gateway mode applies to peered traffic): what the
mesh gateway (PL3xx) and export/intention/upstream (PL4xx) rules ask. Rules reach them
through :mod:`linter.api.topology`."""

from __future__ import annotations

from linter.graph.query import Export, ModeSetting, Topology, Upstream


def gateways_known(topo: Topology, cluster: str) -> bool:
    """Whether the repo says if ``cluster`` runs mesh gateways: it declares one in some
    partition, its Helm values are here (``meshGateway.enabled`` decides), or it
    registers its services from files here (a VM cluster whose gateways would be
    registered the same way). A Kubernetes cluster without its Helm values: unknown."""
    parts = topo.partitions(cluster)
    if any(topo.gateways(cluster, p) for p in parts) or topo.helm_values(cluster):
        return True
    return any(
        d.source == "definition"
        for p in parts
        for s in topo.services(cluster, p)
        for d in topo.service(cluster, p, s.name)
    )


def name_for(
    topo: Topology, cluster: str, partition: str, remote_cluster: str, remote_partition: str | None
) -> str | None:
    """The peer name ``cluster``/``partition`` uses for ``remote_cluster`` (None: no
    peering between them is declared there)."""
    for peering in topo.peers_of(cluster, partition):
        if peering.remote_cluster == remote_cluster and (
            remote_partition is None or peering.remote_partition in (None, remote_partition)
        ):
            return peering.peer_name
    return None


def exports_of(topo: Topology, cluster: str, partition: str, service: str, peer_name: str) -> list[Export]:
    """The consumers exporting ``service`` (by name or ``*``) to ``peer_name``."""
    return topo.exports_of_service(cluster, partition, peer_name.lower(), service)


def peer_upstreams_to(topo: Topology, export: Export) -> list[Upstream]:
    """The peer's upstreams that call ``export``'s service through this peering (empty
    when the consumer peer is not a cluster of the repo)."""
    peering = topo.resolve_peer(export.cluster, export.partition, export.consumer)
    if peering is None or peering.remote_cluster is None:
        return []
    remote, rpart = peering.remote_cluster, peering.remote_partition or "default"
    out = []
    for up in topo.upstreams(remote, rpart):
        if up.destination_peer is None or up.destination_name != export.service:
            continue
        back = topo.resolve_peer(remote, rpart, up.destination_peer)
        if back is not None and back.remote_cluster == export.cluster:
            out.append(up)
    return out


def peered_mode_settings(topo: Topology, mode: str) -> list[tuple[ModeSetting, list[Upstream]]]:
    """Mesh gateway modes equal to ``mode`` that apply to peered traffic: the mode that
    wins, by Consul's precedence, for some upstream with a ``destination_peer`` (with
    those upstreams), and service-defaults overrides that name a ``Peer``."""
    found: dict[int, tuple[ModeSetting, list[Upstream]]] = {}
    for up in topo.upstreams():
        if not up.destination_peer:
            continue
        setting = topo.gateway_mode_for(up.cluster, up.partition, up.service, up)
        if setting is not None and setting.mode == mode:
            found.setdefault(id(setting.node), (setting, []))[1].append(up)
    for setting in topo.mode_settings():
        if setting.level == "override" and setting.peer and setting.mode == mode:
            found.setdefault(id(setting.node), (setting, []))
    return sorted(found.values(), key=lambda item: (item[0].doc.path, item[0].node.span.line, item[0].node.span.col))


def describe_mode_setting(setting: ModeSetting, upstreams: list[Upstream]) -> tuple[str, str, list[tuple]]:
    """For a finding on one of :func:`peered_mode_settings`: where the mode comes from
    (``proxy-defaults``), the peered upstreams it applies to (``payments (peer east)``)
    and ``related`` entries pointing at those upstreams."""
    origin = MODE_LEVEL_NAMES.get(setting.level, setting.level)
    target = (
        ", ".join(sorted({f"{u.destination_name} (peer {u.destination_peer})" for u in upstreams}))
        or f"{setting.upstream} (peer {setting.peer})"
    )
    related = [
        (
            u.doc.at(u.name_node or u.node),
            f"{u.service}'s upstream {u.destination_name} from peer {u.destination_peer} uses this mode",
        )
        for u in upstreams
    ]
    return origin, target, related


#: Where each ModeSetting level comes from, for messages.
MODE_LEVEL_NAMES = {
    "upstream": "this upstream's mesh_gateway",
    "override": "this service-defaults upstream override",
    "upstream-defaults": "these service-defaults upstream defaults",
    "proxy": "this proxy's mesh_gateway",
    "service-defaults": "these service-defaults",
    "proxy-defaults": "proxy-defaults",
}
