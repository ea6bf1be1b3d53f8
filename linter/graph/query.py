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
from typing import TYPE_CHECKING, Any

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
    remote_cluster: str | None
    remote_partition: str | None
    role: str
    doc: Document | None = None
    node: Node | None = None
    config_path: str = ""
    config_span: Span | None = None
    partner: Peering | None = None
    secret_name: Node | None = None
    secret_key: Node | None = None


@dataclass(eq=False)
class Gateway:
    """A mesh gateway: a service definition of kind ``mesh-gateway`` or Helm
    ``meshGateway.enabled: true`` (``node`` is that kind / enabled value)."""

    cluster: str
    partition: str
    doc: Document
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
    doc: Document
    node: Node
    service: str | None = None
    upstream: str | None = None
    peer: str | None = None


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
    doc: Document
    node: Node
    service_node: Node | None = None
    consumer_node: Node | None = None  # the whole consumer mapping


@dataclass(eq=False)
class Intention:
    """One source of a service-intentions entry (destination ``destination``)."""

    cluster: str
    partition: str
    destination: str
    source: str
    peer: str | None
    source_partition: str | None
    sameness_group: str | None
    allows: bool
    doc: Document
    node: Node  # the source mapping
    peer_node: Node | None = None
    name_node: Node | None = None


@dataclass(eq=False)
class Upstream:
    """An upstream of ``service``: from a sidecar's ``proxy.upstreams`` or the
    ``connect-service-upstreams`` annotation. ``mesh_gateway`` is its own mode node."""

    cluster: str
    partition: str
    service: str
    destination_name: str
    destination_peer: str | None
    destination_partition: str | None
    datacenter: str | None
    doc: Document
    node: Node
    name_node: Node | None = None
    peer_node: Node | None = None
    mesh_gateway: Node | None = None
    source: str = "service-definition"  # or "annotation"


@dataclass(eq=False)
class Service:
    """A service known to a partition: ``source`` says how (``definition``,
    ``workload``, ``intention``, ``export``)."""

    cluster: str
    partition: str
    name: str
    kind: str
    doc: Document
    node: Node
    source: str


@dataclass(eq=False)
class PeerReference:
    """A peer name used somewhere (``context`` says where, e.g. ``export consumer``);
    ``node`` is the peer-name value."""

    cluster: str
    partition: str
    name: str
    doc: Document
    node: Node
    context: str


@dataclass(eq=False)
class MeshConfig:
    """A mesh config entry / Mesh CR and its ``peer_through_mesh_gateways`` value."""

    cluster: str
    partition: str
    doc: Document
    peer_through: Node | None
    peering_block: Node | None

    @property
    def peers_through_gateways(self) -> bool:
        return getattr(self.peer_through, "value", None) is True


@dataclass(eq=False)
class VersionSetting:
    """A Consul (``product="consul"``) or consul-k8s version the repo states: from a
    Helm image tag (``doc``/``node``) or the peerlint config (``config_path``/``span``)."""

    cluster: str | None  # None: applies to every cluster (the config)
    product: str
    version: str
    doc: Document | None = None
    node: Node | None = None
    config_path: str = ""
    config_span: Span | None = None


@dataclass(eq=False)
class PeeringSwitch:
    """Peering turned on or off: agent ``peering { enabled }``, Helm
    ``global.peering.enabled``. ``node`` is the enabled value."""

    cluster: str
    enabled: bool
    doc: Document
    node: Node


@dataclass
class TopologyIndexes:
    """What a :class:`Topology` answers from: plain dicts keyed by (cluster, partition),
    so every question is a lookup. Filled by the builder (:mod:`linter.graph.build`, with
    :mod:`linter.graph.peerings` for the peerings) and handed to the Topology finished:
    why a separate object: nothing writes a Topology after it is made."""

    cluster_partitions: dict[str, set[str]] = field(default_factory=dict)
    datacenters: dict[str, str | None] = field(default_factory=dict)
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
    helm: dict[str, list[Document]] = field(default_factory=dict)
    cr_clusters: set[str] = field(default_factory=set)  # clusters with a peering CR
    read_partitions: dict[str, set[str]] = field(default_factory=dict)  # before pairing (linter.graph.splice)


class Topology:
    """The graph of one run: made once, finished, by
    :func:`linter.graph.build.build_topology`; read-only from then on. ``nx`` is the
    networkx picture of the same facts, built on first use by the graph renderer
    (:func:`linter.report.graph.networkx_of`): a cache, not state."""

    def __init__(self, config: Config, indexes: TopologyIndexes) -> None:
        self.config = config
        self.nx: Any = None
        self.indexes = indexes  # what linter.graph.splice builds the next topology from
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
        #: the clusters ``[[peerings]]`` entries name (peerings_known is asked per reference)
        self._to_peer: dict | None = None  # exports_to_peer's index, built on first use
        #: answers asked for every upstream by several rules, kept (the topology is
        #: read-only): gateway_mode_for's by its arguments, intentions_allowing's by
        #: cluster/partition and destination, exports_to_peer's by service
        self._mode_for: dict[tuple, ModeSetting | None] = {}
        self._modes_by_service: dict[tuple[str, str], dict[str | None, list[tuple[int, ModeSetting]]]] = {}
        self._allowing: dict[tuple[str, str], dict[str, list[Intention]]] = {}
        self._to_peer_service: dict[tuple, list[Export]] = {}
        self._config_peered = {name for entry in config.peerings for name in (entry.a, entry.b)}

    # clusters and partitions -------------------------------------------------
    def clusters(self) -> list[str]:
        """Every cluster name, sorted."""
        return sorted(self.cluster_partitions)

    def partitions(self, cluster: str) -> list[str]:
        return sorted(self.cluster_partitions.get(cluster, ()))

    def datacenter(self, cluster: str) -> str | None:
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

    def helm_values(self, cluster: str) -> list[Document]:
        return list(self._helm.get(cluster, ()))

    # peerings -----------------------------------------------------------------
    def peerings(self) -> list[Peering]:
        return list(self.all_peerings)

    def peers_of(self, cluster: str, partition: str = "default") -> list[Peering]:
        """The peerings declared in this cluster/partition (both CRs and config)."""
        return list(self._peerings.get((cluster, partition), ()))

    def resolve_peer(self, cluster: str, partition: str, peer_name: str) -> Peering | None:
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
        if cluster in self._config_peered:
            return True
        return bool(self.config.peerings) and cluster in self.config.clusters

    def manages_peerings_with_crs(self, cluster: str) -> bool:
        """Whether ``cluster`` is a Kubernetes cluster (Helm values) or has any peering
        CR: one whose peerings would be declared as CRs in the repo."""
        return cluster in self._cr_clusters or bool(self._helm.get(cluster))

    def peer_references(self, cluster: str | None = None) -> list[PeerReference]:
        """Every place a peer name is used (exports, intentions, upstreams, resolver,
        sameness groups, service-defaults overrides)."""
        return [r for r in self._refs if cluster is None or r.cluster == cluster]

    # gateways -----------------------------------------------------------------
    def gateways(self, cluster: str, partition: str = "default") -> list[Gateway]:
        return list(self._gateways.get((cluster, partition), ()))

    def mode_settings(self, cluster: str | None = None) -> list[ModeSetting]:
        """Every mesh gateway mode set in the repo (or in one cluster)."""
        return [m for (c, _p), items in sorted(self._modes.items()) if cluster is None or c == cluster for m in items]

    def gateway_mode_for(
        self, cluster: str, partition: str, service: str, upstream: Upstream | None = None
    ) -> ModeSetting | None:
        """The mode that applies to ``service`` (and one of its upstreams), by Consul's
        precedence: upstream > service-defaults overrides/defaults > the proxy's own >
        service-defaults > proxy-defaults. None: nothing set (Consul: remote for peers)."""
        best: ModeSetting | None = None
        rank = len(MODE_PRECEDENCE)
        if upstream is not None and upstream.mesh_gateway is not None:
            mode = getattr(upstream.mesh_gateway, "value", None)
            if isinstance(mode, str) and mode:
                return ModeSetting(
                    cluster,
                    partition,
                    mode,
                    "upstream",
                    upstream.doc,
                    upstream.mesh_gateway,
                    service,
                    upstream.destination_name,
                )
        key = (
            cluster,
            partition,
            service,
            upstream is not None,
            upstream.destination_name if upstream is not None else None,
            (upstream.destination_peer or None) if upstream is not None else None,
        )
        if key in self._mode_for:
            return self._mode_for[key]
        for setting in self._modes_of(cluster, partition, service):
            if setting.level == "upstream":
                continue
            if setting.level == "override":
                if (
                    upstream is None
                    or setting.upstream != upstream.destination_name
                    or (setting.peer or None) != (upstream.destination_peer or None)
                ):
                    continue
            if setting.level == "upstream-defaults" and upstream is None:
                continue
            level = MODE_PRECEDENCE.index(setting.level)
            if level < rank:
                best, rank = setting, level
        self._mode_for[key] = best
        return best

    def _modes_of(self, cluster: str, partition: str, service: str) -> list[ModeSetting]:
        """The mode settings of this cluster/partition for every service or for
        ``service``, in the index's order (split by service on first use: asked for
        every upstream, a cluster's settings of every service were walked each time)."""
        split = self._modes_by_service.get((cluster, partition))
        if split is None:
            split = self._modes_by_service[(cluster, partition)] = {}
            for n, setting in enumerate(self._modes.get((cluster, partition), ())):
                split.setdefault(setting.service, []).append((n, setting))
        general, own = split.get(None, []), split.get(service, []) if service is not None else []
        if not own:
            return [setting for _n, setting in general]
        return [setting for _n, setting in sorted(general + own, key=lambda item: item[0])]

    # exports, intentions, upstreams, services ------------------------------------
    def exports(self, cluster: str, partition: str = "default") -> list[Export]:
        return list(self._exports.get((cluster, partition), ()))

    def all_exports(self) -> list[Export]:
        return [e for _k, items in sorted(self._exports.items()) for e in items]

    def exports_to_peer(self, cluster: str, partition: str, peer_name: str) -> list[Export]:
        """The exports of this cluster/partition to ``peer_name``, in file order
        (indexed on first use: rules ask it for every upstream and peering)."""
        if self._to_peer is None:
            self._to_peer = {}
            for key, items in self._exports.items():
                for e in items:
                    if e.consumer_kind == "peer":
                        self._to_peer.setdefault((key, e.consumer), []).append(e)
        return list(self._to_peer.get(((cluster, partition), peer_name), ()))

    def exports_of_service(self, cluster: str, partition: str, peer_name: str, service: str) -> list[Export]:
        """The exports of ``service`` (by name or ``*``) from this cluster/partition to
        ``peer_name``, in file order."""
        key = (cluster, partition, peer_name, service)
        found = self._to_peer_service.get(key)
        if found is None:
            found = [e for e in self.exports_to_peer(cluster, partition, peer_name) if e.service in (service, "*")]
            self._to_peer_service[key] = found
        return list(found)

    def intentions(self, cluster: str, partition: str = "default") -> list[Intention]:
        return list(self._intentions.get((cluster, partition), ()))

    def intentions_allowing(
        self, cluster: str, partition: str, destination: str, source_peer: str | None = None
    ) -> list[Intention]:
        """Allowing sources of ``destination`` (or of ``*``); with ``source_peer``,
        only sources from that peer (a local source of the same name does not count)."""
        by_destination = self._allowing.get((cluster, partition))
        if by_destination is None:  # the allowing intentions by destination, in file order
            by_destination = self._allowing[(cluster, partition)] = {}
            for item in self._intentions.get((cluster, partition), ()):
                if item.allows:
                    by_destination.setdefault(item.destination, []).append(item)
        if destination == "*" or "*" not in by_destination:
            candidates = by_destination.get(destination, ())
        else:  # both lists, in file order (as one pass over the intentions made them)
            order = {id(item): n for n, item in enumerate(self._intentions.get((cluster, partition), ()))}
            candidates = sorted(
                [*by_destination.get(destination, ()), *by_destination["*"]], key=lambda item: order[id(item)]
            )
        return [item for item in candidates if source_peer is None or item.peer == source_peer]

    def upstreams(self, cluster: str | None = None, partition: str | None = None) -> list[Upstream]:
        return [
            u
            for (c, p), items in sorted(self._upstreams.items())
            if (cluster is None or c == cluster) and (partition is None or p == partition)
            for u in items
        ]

    def services(self, cluster: str, partition: str = "default") -> list[Service]:
        """One Service per name (the most authoritative declaration first)."""
        return [found[0] for _n, found in sorted(self._services.get((cluster, partition), {}).items())]

    def service(self, cluster: str, partition: str, name: str) -> list[Service]:
        """Every declaration of one service name."""
        return list(self._services.get((cluster, partition), {}).get(name, ()))

    def mesh_config(self, cluster: str, partition: str = "default") -> MeshConfig | None:
        found = self._mesh.get((cluster, partition))
        return found[-1] if found else None

    # versions and switches ----------------------------------------------------
    def versions(self, cluster: str) -> list[VersionSetting]:
        """Versions stated for this cluster: its Helm images, then the config's."""
        return [v for v in self._versions if v.cluster in (cluster, None)]

    def peering_switches(self, cluster: str) -> list[PeeringSwitch]:
        return list(self._switches.get(cluster, ()))
