"""The questions rules ask of the topology: a small, typed query API.

Every item keeps the :class:`Document` and the exact node it came from, so a rule can
report on the precise key or value and name the other end in ``related``. Rules never
walk raw node dictionaries of other documents: they ask here. The indices are plain
dicts (:class:`TopologyIndexes`) filled once by :mod:`linter.graph.build` and handed to
the Topology finished, so each question is a dict lookup; the networkx graph
(``Topology.nx``) holds the same facts for rendering and path questions.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

from linter.nodes import Node, Span

if TYPE_CHECKING:
    from linter.config import Config
    from linter.model.document import Document

Key = tuple[str, str]  # (cluster, partition)


@dataclass(eq=False)
class Peering:
    """One side of a peering as declared in ``cluster``/``partition``: the local peer
    name and, when the repo says, the remote cluster and partition it reaches.

    ``role`` is ``acceptor``/``dialer`` (a consul-k8s CR; ``doc``/``node`` are the CR and
    its ``metadata.name``) or ``config`` (a ``[[peerings]]`` entry: ``doc`` is None and
    ``config_path``/``config_span`` locate it). ``partner`` is the other side's
    declaration when both are CRs in the repo and pair up.
    """

    cluster: str
    partition: str
    peer_name: str
    remote_cluster: Optional[str]
    remote_partition: Optional[str]
    role: str
    doc: Optional["Document"] = None
    node: Optional[Node] = None
    config_path: str = ""
    config_span: Optional[Span] = None
    partner: Optional["Peering"] = None
    secret_name: Optional[Node] = None
    secret_key: Optional[Node] = None


@dataclass(eq=False)
class Gateway:
    """A mesh gateway: a service definition of kind ``mesh-gateway`` or Helm
    ``meshGateway.enabled: true`` (``node`` is that kind / enabled value)."""

    cluster: str
    partition: str
    doc: "Document"
    node: Node
    source: str  # "service" | "helm"
    name: str = "mesh-gateway"


@dataclass(eq=False)
class ModeSetting:
    """A mesh gateway ``Mode`` set somewhere. ``level``: ``upstream`` (an upstream's
    ``mesh_gateway``), ``override``/``upstream-defaults`` (service-defaults
    UpstreamConfig), ``proxy`` (a sidecar's ``proxy.mesh_gateway``),
    ``service-defaults``, ``proxy-defaults``. ``service`` is the service it applies to
    (None: every service of the partition); ``upstream`` the upstream name it applies
    to (None: every upstream); ``peer`` an override's ``Peer``."""

    cluster: str
    partition: str
    mode: str
    level: str
    doc: "Document"
    node: Node
    service: Optional[str] = None
    upstream: Optional[str] = None
    peer: Optional[str] = None


#: Consul's precedence, strongest first (upstream > service-defaults > proxy-defaults).
MODE_PRECEDENCE = ("upstream", "override", "upstream-defaults", "proxy", "service-defaults", "proxy-defaults")


@dataclass(eq=False)
class Export:
    """One consumer of one exported service. ``consumer_kind``: ``peer``,
    ``partition`` or ``sameness-group``; ``node`` is the consumer's value node."""

    cluster: str
    partition: str
    service: str
    consumer_kind: str
    consumer: str
    doc: "Document"
    node: Node
    service_node: Optional[Node] = None
    consumer_node: Optional[Node] = None  # the whole consumer mapping


@dataclass(eq=False)
class Intention:
    """One source of a service-intentions entry (destination ``destination``)."""

    cluster: str
    partition: str
    destination: str
    source: str
    peer: Optional[str]
    source_partition: Optional[str]
    sameness_group: Optional[str]
    allows: bool
    doc: "Document"
    node: Node  # the source mapping
    peer_node: Optional[Node] = None
    name_node: Optional[Node] = None


@dataclass(eq=False)
class Upstream:
    """An upstream of ``service``: from a sidecar's ``proxy.upstreams`` or the
    ``connect-service-upstreams`` annotation. ``mesh_gateway`` is its own mode node."""

    cluster: str
    partition: str
    service: str
    destination_name: str
    destination_peer: Optional[str]
    destination_partition: Optional[str]
    datacenter: Optional[str]
    doc: "Document"
    node: Node
    name_node: Optional[Node] = None
    peer_node: Optional[Node] = None
    mesh_gateway: Optional[Node] = None
    source: str = "service-definition"  # or "annotation"


@dataclass(eq=False)
class Service:
    """A service known to a partition: ``source`` says how (``definition``,
    ``workload``, ``intention``, ``export``)."""

    cluster: str
    partition: str
    name: str
    kind: str
    doc: "Document"
    node: Node
    source: str


@dataclass(eq=False)
class PeerReference:
    """A peer name used somewhere (``context`` says where, e.g. ``export consumer``);
    ``node`` is the peer-name value."""

    cluster: str
    partition: str
    name: str
    doc: "Document"
    node: Node
    context: str


@dataclass(eq=False)
class MeshConfig:
    """A mesh config entry / Mesh CR and its ``peer_through_mesh_gateways`` value."""

    cluster: str
    partition: str
    doc: "Document"
    peer_through: Optional[Node]
    peering_block: Optional[Node]

    @property
    def peers_through_gateways(self) -> bool:
        return getattr(self.peer_through, "value", None) is True


@dataclass(eq=False)
class VersionSetting:
    """A Consul (``product="consul"``) or consul-k8s version the repo states: from a
    Helm image tag (``doc``/``node``) or the peerlint config (``config_path``/``span``)."""

    cluster: Optional[str]  # None: applies to every cluster (the config)
    product: str
    version: str
    doc: Optional["Document"] = None
    node: Optional[Node] = None
    config_path: str = ""
    config_span: Optional[Span] = None


@dataclass(eq=False)
class PeeringSwitch:
    """Peering turned on or off: agent ``peering { enabled }``, Helm
    ``global.peering.enabled``. ``node`` is the enabled value."""

    cluster: str
    enabled: bool
    doc: "Document"
    node: Node


@dataclass
class TopologyIndexes:
    """What a :class:`Topology` answers from: plain dicts keyed by (cluster, partition),
    so every question is a lookup. Filled by the builder (:mod:`linter.graph.build`, with
    :mod:`linter.graph.peerings` for the peerings) and handed to the Topology finished:
    why a separate object: nothing writes a Topology after it is made."""

    cluster_partitions: dict[str, set[str]] = field(default_factory=dict)
    datacenters: dict[str, Optional[str]] = field(default_factory=dict)
    peer_names: dict[str, str] = field(default_factory=dict)
    all_peerings: list[Peering] = field(default_factory=list)
    peerings: dict[Key, list[Peering]] = field(default_factory=dict)
    gateways: dict[Key, list[Gateway]] = field(default_factory=dict)
    modes: dict[Key, list[ModeSetting]] = field(default_factory=dict)
    exports: dict[Key, list[Export]] = field(default_factory=dict)
    intentions: dict[Key, list[Intention]] = field(default_factory=dict)
    upstreams: dict[Key, list[Upstream]] = field(default_factory=dict)
    services: dict[Key, dict[str, list[Service]]] = field(default_factory=dict)
    mesh: dict[Key, list[MeshConfig]] = field(default_factory=dict)
    references: list[PeerReference] = field(default_factory=list)
    versions: list[VersionSetting] = field(default_factory=list)
    switches: dict[str, list[PeeringSwitch]] = field(default_factory=dict)
    helm: dict[str, list["Document"]] = field(default_factory=dict)
    cr_clusters: set[str] = field(default_factory=set)  # clusters with a peering CR


class Topology:
    """The graph of one run: made once, finished, by
    :func:`linter.graph.build.build_topology`; read-only from then on. ``nx`` is the
    networkx picture of the same facts, built on first use by the graph renderer
    (:func:`linter.report.graph.networkx_of`): a cache, not state."""

    def __init__(self, config: "Config", indexes: TopologyIndexes) -> None:
        self.config = config
        self.nx: Any = None
        self.cluster_partitions = indexes.cluster_partitions
        self.datacenters = indexes.datacenters
        self.peer_names = indexes.peer_names
        self.all_peerings = indexes.all_peerings
        self._peerings = indexes.peerings
        self._gateways = indexes.gateways
        self._modes = indexes.modes
        self._exports = indexes.exports
        self._intentions = indexes.intentions
        self._upstreams = indexes.upstreams
        self._services = indexes.services
        self._mesh = indexes.mesh
        self._refs = indexes.references
        self._versions = indexes.versions
        self._switches = indexes.switches
        self._helm = indexes.helm
        self._cr_clusters = indexes.cr_clusters

    # clusters and partitions -------------------------------------------------
    def clusters(self) -> list[str]:
        """Every cluster name, sorted."""
        return sorted(self.cluster_partitions)

    def partitions(self, cluster: str) -> list[str]:
        return sorted(self.cluster_partitions.get(cluster, ()))

    def datacenter(self, cluster: str) -> Optional[str]:
        """The datacenter a cluster is, when the repo says (config or a file)."""
        return self.datacenters.get(cluster)

    def same_datacenter(self, cluster: str, partition: str, other: str, other_partition: str) -> bool:
        """Whether two cluster/partitions are one Consul datacenter (so cannot peer):
        the same cluster, or clusters the config gives one ``datacenter``, or folders
        that set one datacenter and are different admin partitions of it. Two
        independent clusters that merely share a datacenter name are not."""
        if cluster == other:
            return True
        mine, theirs = self.datacenters.get(cluster), self.datacenters.get(other)
        if mine is None or mine != theirs:
            return False
        return bool(self.config.clusters) or partition != other_partition

    def peer_name_of(self, cluster: str) -> str:
        """The name peers use for ``cluster`` unless their CRs say otherwise."""
        return self.peer_names.get(cluster, cluster)

    def helm_values(self, cluster: str) -> list["Document"]:
        return list(self._helm.get(cluster, ()))

    # peerings -----------------------------------------------------------------
    def peerings(self) -> list[Peering]:
        return list(self.all_peerings)

    def peers_of(self, cluster: str, partition: str = "default") -> list[Peering]:
        """The peerings declared in this cluster/partition (both CRs and config)."""
        return list(self._peerings.get((cluster, partition), ()))

    def resolve_peer(self, cluster: str, partition: str, peer_name: str) -> Optional[Peering]:
        """The peering ``peer_name`` means in this cluster/partition, or None."""
        for peering in self._peerings.get((cluster, partition), ()):
            if peering.peer_name == peer_name.lower():
                return peering
        return None

    def peerings_known(self, cluster: str) -> bool:
        """Whether the repo declares this cluster's peerings: a peering CR in it, a
        ``[[peerings]]`` entry naming it, or a config that lists both its clusters and
        their peerings. When not, peer names cannot be judged (CLI peerings)."""
        if cluster in self._cr_clusters:
            return True
        config = self.config
        if any(cluster in (entry.a, entry.b) for entry in config.peerings):
            return True
        return bool(config.peerings) and cluster in config.clusters

    def manages_peerings_with_crs(self, cluster: str) -> bool:
        """Whether ``cluster`` is a Kubernetes cluster (Helm values) or has any peering
        CR: one whose peerings would be declared as CRs in the repo."""
        return cluster in self._cr_clusters or bool(self._helm.get(cluster))

    def peer_references(self, cluster: Optional[str] = None) -> list[PeerReference]:
        """Every place a peer name is used (exports, intentions, upstreams, resolver,
        sameness groups, service-defaults overrides)."""
        return [r for r in self._refs if cluster is None or r.cluster == cluster]

    # gateways -----------------------------------------------------------------
    def gateways(self, cluster: str, partition: str = "default") -> list[Gateway]:
        return list(self._gateways.get((cluster, partition), ()))

    def mode_settings(self, cluster: Optional[str] = None) -> list[ModeSetting]:
        """Every mesh gateway mode set in the repo (or in one cluster)."""
        return [m for (c, _p), items in sorted(self._modes.items()) if cluster is None or c == cluster for m in items]

    def gateway_mode_for(self, cluster: str, partition: str, service: str, upstream: Optional[Upstream] = None) -> Optional[ModeSetting]:
        """The mode that applies to ``service`` (and one of its upstreams), by Consul's
        precedence: upstream > service-defaults overrides/defaults > the proxy's own >
        service-defaults > proxy-defaults. None: nothing set (Consul: remote for peers)."""
        best: Optional[ModeSetting] = None
        rank = len(MODE_PRECEDENCE)
        if upstream is not None and upstream.mesh_gateway is not None:
            mode = getattr(upstream.mesh_gateway, "value", None)
            if isinstance(mode, str) and mode:
                return ModeSetting(cluster, partition, mode, "upstream", upstream.doc, upstream.mesh_gateway, service, upstream.destination_name)
        for setting in self._modes.get((cluster, partition), ()):
            if setting.level == "upstream" or (setting.service is not None and setting.service != service):
                continue
            if setting.level == "override":
                if upstream is None or setting.upstream != upstream.destination_name or (setting.peer or None) != (upstream.destination_peer or None):
                    continue
            if setting.level == "upstream-defaults" and upstream is None:
                continue
            level = MODE_PRECEDENCE.index(setting.level)
            if level < rank:
                best, rank = setting, level
        return best

    # exports, intentions, upstreams, services ------------------------------------
    def exports(self, cluster: str, partition: str = "default") -> list[Export]:
        return list(self._exports.get((cluster, partition), ()))

    def all_exports(self) -> list[Export]:
        return [e for _k, items in sorted(self._exports.items()) for e in items]

    def exports_to_peer(self, cluster: str, partition: str, peer_name: str) -> list[Export]:
        return [e for e in self._exports.get((cluster, partition), ()) if e.consumer_kind == "peer" and e.consumer == peer_name]

    def intentions(self, cluster: str, partition: str = "default") -> list[Intention]:
        return list(self._intentions.get((cluster, partition), ()))

    def intentions_allowing(self, cluster: str, partition: str, destination: str, source_peer: Optional[str] = None) -> list[Intention]:
        """Allowing sources of ``destination`` (or of ``*``); with ``source_peer``,
        only sources from that peer (a local source of the same name does not count)."""
        out = []
        for item in self._intentions.get((cluster, partition), ()):
            if not item.allows or item.destination not in (destination, "*"):
                continue
            if source_peer is not None and item.peer != source_peer:
                continue
            out.append(item)
        return out

    def upstreams(self, cluster: Optional[str] = None, partition: Optional[str] = None) -> list[Upstream]:
        return [u for (c, p), items in sorted(self._upstreams.items()) if (cluster is None or c == cluster) and (partition is None or p == partition) for u in items]

    def services(self, cluster: str, partition: str = "default") -> list[Service]:
        """One Service per name (the most authoritative declaration first)."""
        return [found[0] for _n, found in sorted(self._services.get((cluster, partition), {}).items())]

    def service(self, cluster: str, partition: str, name: str) -> list[Service]:
        """Every declaration of one service name."""
        return list(self._services.get((cluster, partition), {}).get(name, ()))

    def mesh_config(self, cluster: str, partition: str = "default") -> Optional[MeshConfig]:
        found = self._mesh.get((cluster, partition))
        return found[-1] if found else None

    # versions and switches ----------------------------------------------------
    def versions(self, cluster: str) -> list[VersionSetting]:
        """Versions stated for this cluster: its Helm images, then the config's."""
        return [v for v in self._versions if v.cluster in (cluster, None)]

    def peering_switches(self, cluster: str) -> list[PeeringSwitch]:
        return list(self._switches.get(cluster, ()))


# questions for the mesh gateway (PL3xx) and export/intention/upstream (PL4xx) rules ----
def gateways_known(topo: Topology, cluster: str) -> bool:
    """Whether the repo says if ``cluster`` runs mesh gateways: it declares one in some
    partition, its Helm values are here (``meshGateway.enabled`` decides), or it
    registers its services from files here (a VM cluster whose gateways would be
    registered the same way). A Kubernetes cluster without its Helm values: unknown."""
    parts = topo.partitions(cluster)
    if any(topo.gateways(cluster, p) for p in parts) or topo.helm_values(cluster):
        return True
    return any(d.source == "definition" for p in parts for s in topo.services(cluster, p) for d in topo.service(cluster, p, s.name))


def name_for(topo: Topology, cluster: str, partition: str, remote_cluster: str, remote_partition: Optional[str]) -> Optional[str]:
    """The peer name ``cluster``/``partition`` uses for ``remote_cluster`` (None: no
    peering between them is declared there)."""
    for peering in topo.peers_of(cluster, partition):
        if peering.remote_cluster == remote_cluster and (remote_partition is None or peering.remote_partition in (None, remote_partition)):
            return peering.peer_name
    return None


def exports_of(topo: Topology, cluster: str, partition: str, service: str, peer_name: str) -> list[Export]:
    """The consumers exporting ``service`` (by name or ``*``) to ``peer_name``."""
    return [e for e in topo.exports_to_peer(cluster, partition, peer_name.lower()) if e.service in (service, "*")]


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
    target = ", ".join(sorted({f"{u.destination_name} (peer {u.destination_peer})" for u in upstreams})) or f"{setting.upstream} (peer {setting.peer})"
    related = [(u.doc.at(u.name_node or u.node), f"{u.service}'s upstream {u.destination_name} from peer {u.destination_peer} uses this mode") for u in upstreams]
    return origin, target, related


#: Where each ModeSetting level comes from, for messages.
MODE_LEVEL_NAMES = {
    "upstream": "this upstream's mesh_gateway", "override": "this service-defaults upstream override",
    "upstream-defaults": "these service-defaults upstream defaults", "proxy": "this proxy's mesh_gateway",
    "service-defaults": "these service-defaults", "proxy-defaults": "proxy-defaults",
}
