"""Build the topology of one run from facts: the documents, the project config, the
peering CRs and the Helm install each cluster's annotations are read with. One pass over
the documents, each read once by kind, then peerings paired across clusters
(:mod:`linter.graph.peerings`). Linear in the size of the repo: every step is a dict
insert or a lookup; pairing only compares CRs whose names or secrets agree.

Why facts and not the :class:`~linter.project.Project`: the project holds the graph, so
a builder reading the project back would loop with it. The builder fills
:class:`TopologyIndexes` it owns and hands them to a read-only :class:`Topology`.

networkx is not imported here: only pictures need it (``linter.report.graph``), so runs
whose rules ask the graph questions never pay for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterable, Optional, Sequence

from linter.config_lines import config_display_path, config_line_span, config_lines
from linter.graph.peerings import pair_peerings
from linter.graph.query import (
    Export,
    Gateway,
    Intention,
    MeshConfig,
    ModeSetting,
    PeeringSwitch,
    PeerReference,
    Service,
    Topology,
    TopologyIndexes,
    Upstream,
    VersionSetting,
)
from linter.k8s.helm import truthy
from linter.model.document import AGENT_CONFIG, HELM_VALUES, K8S_WORKLOAD, SERVICE_DEFINITION, Document, is_true, text
from linter.nodes import Mapping, Node, Scalar, Span, as_list

if TYPE_CHECKING:
    from linter.config import Config
    from linter.k8s.helm import HelmValues

PEER_KEYS = ("Peer", "peer_name", "PeerName")

#: The Helm install of a cluster (None: no Helm values), as rules read it:
#: :func:`linter.k8s.helm.install_for` bound to the project.
InstallFor = Callable[[str], Optional["HelmValues"]]


def _map(node: Node | None) -> Mapping:
    return node if isinstance(node, Mapping) else Mapping([], Span.point(1, 1))


def _maps(node: Node | None) -> list[Mapping]:
    return [item for item in as_list(node) if isinstance(item, Mapping)]


def _kind(doc: Document) -> str:
    """The config-entry kind a document writes (CRDs mapped to their entry kind)."""
    from linter.kinds import CRD_TO_ENTRY

    return CRD_TO_ENTRY.get(doc.kind, doc.kind)


def build_topology(
    documents: Sequence[Document],
    config: Config,
    *,
    install_for: InstallFor,
    acceptors: Iterable[Document] | None = None,
    dialers: Iterable[Document] | None = None,
) -> Topology:
    """The finished :class:`Topology` of ``documents`` (clusters already assigned).

    ``install_for`` is asked only for clusters with injected workloads (their
    annotation grammar depends on the install), so a run without them never merges Helm
    values. ``acceptors``/``dialers``: the PeeringAcceptor/PeeringDialer documents in
    file order; None: those of ``documents``.
    """
    if acceptors is None:
        acceptors = [d for d in documents if d.kind == "PeeringAcceptor"]
    if dialers is None:
        dialers = [d for d in documents if d.kind == "PeeringDialer"]
    return TopologyBuilder(config, install_for).build(documents, acceptors, dialers)


class TopologyBuilder:
    """Owns the indexes while they are filled; :meth:`build` hands them over."""

    def __init__(self, config: Config, install_for: InstallFor) -> None:
        self.config = config
        self.install_for = install_for
        self.ix = TopologyIndexes()
        self._grammars: dict[str, tuple[tuple[int, int, int] | None, bool, bool]] = {}

    # helpers -------------------------------------------------------------------
    def _key(self, doc: Document) -> tuple[str, str]:
        self.ix.cluster_partitions.setdefault(doc.cluster, set()).add(doc.partition)
        return doc.cluster, doc.partition

    def _ref(self, doc: Document, node: Node | None, context: str, partition: str | None = None) -> str | None:
        name = text(node)
        if name is None or node is None:
            return None
        self.ix.references.append(PeerReference(doc.cluster, partition or doc.partition, name, doc, node, context))
        return name

    def _service(
        self,
        doc: Document,
        name: str | None,
        node: Node | None,
        kind: str,
        source: str,
        partition: str | None = None,
    ) -> None:
        if not name or name == "*" or node is None:
            return
        key = (doc.cluster, partition or doc.partition)
        self.ix.services.setdefault(key, {}).setdefault(name, []).append(
            Service(key[0], key[1], name, kind, doc, node, source)
        )

    def _mode(
        self,
        doc: Document,
        holder: Node | None,
        level: str,
        service: str | None = None,
        upstream: str | None = None,
        peer: str | None = None,
    ) -> Node | None:
        node = _map(holder).get("Mode")
        mode = text(node)
        if node is not None and mode:
            key = self._key(doc)
            self.ix.modes.setdefault(key, []).append(
                ModeSetting(key[0], key[1], mode, level, doc, node, service, upstream, peer)
            )
        return node

    # the pass --------------------------------------------------------------------
    def build(
        self,
        documents: Sequence[Document],
        acceptors: Iterable[Document],
        dialers: Iterable[Document],
        splice: Callable[[TopologyIndexes], set[str]] | None = None,
    ) -> Topology:
        """The one pass; then peerings and the config's versions. Call once. ``splice``
        (linter.graph.splice) fills other clusters' entries and names the ones to read."""
        for doc in documents:
            self._key(doc)
        self._clusters(documents)
        only = splice(self.ix) if splice is not None else None
        handlers = {
            "exported-services": self._exports,
            "service-intentions": self._intentions,
            "proxy-defaults": self._proxy_defaults,
            "service-defaults": self._service_defaults,
            "service-resolver": self._resolver,
            "sameness-group": self._sameness,
            "mesh": self._mesh,
        }
        workloads: list[Document] = []
        for doc in documents if only is None else [d for d in documents if d.cluster in only]:
            handler = handlers.get(_kind(doc))
            if handler is not None:
                handler(doc)
            elif doc.category == SERVICE_DEFINITION:
                self._service_definition(doc)
            elif doc.category == HELM_VALUES:
                self._helm(doc)
            elif doc.category == AGENT_CONFIG and doc.parent is None:
                self._agent(doc)
            elif doc.category == K8S_WORKLOAD:
                workloads.append(doc)
        for doc in workloads:  # after Helm values: the annotation grammar depends on them
            self._workload(doc)
        self.ix.read_partitions = {name: set(parts) for name, parts in self.ix.cluster_partitions.items()}
        pair_peerings(acceptors, dialers, self.config, self.ix)
        self._versions_from_config()
        # topo.nx (networkx) is built on first use, by linter.report.graph.networkx_of
        return Topology(self.config, self.ix)

    def _clusters(self, documents: Sequence[Document]) -> None:
        ix, config = self.ix, self.config
        for name, cluster in config.clusters.items():
            ix.cluster_partitions.setdefault(name, set()).add(cluster.partition)
            ix.datacenters[name] = cluster.datacenter
            ix.peer_names[name] = (cluster.peer_name or name).lower()
        if not config.clusters:
            from linter.model.roots import anchor_of

            # the datacenter each inferred cluster's Helm values or agent config sets
            for doc in documents:
                if doc.category in (HELM_VALUES, AGENT_CONFIG):
                    anchor = anchor_of(doc)
                    if anchor is not None and anchor[0]:
                        ix.datacenters.setdefault(doc.cluster, anchor[0])
        for name in list(ix.cluster_partitions):
            ix.peer_names.setdefault(name, name.lower())

    # config entries ------------------------------------------------------------------
    def _exports(self, doc: Document) -> None:
        key = self._key(doc)
        for svc in _maps(doc.spec.get("Services")):
            name_node = svc.get("Name")
            name = text(name_node) or ""
            self._service(doc, name, name_node, "", "export")
            for consumer in _maps(svc.get("Consumers")):
                for kind, keys in (
                    ("peer", PEER_KEYS),
                    ("partition", ("Partition",)),
                    ("sameness-group", ("SamenessGroup", "sameness_group")),
                ):
                    node = consumer.get(*keys)
                    value = text(node)
                    if node is None or value is None:
                        continue
                    if kind == "peer":
                        self._ref(doc, node, "export consumer")
                    self.ix.exports.setdefault(key, []).append(
                        Export(key[0], key[1], name, kind, value, doc, node, name_node, consumer)
                    )

    def _intentions(self, doc: Document) -> None:
        key = self._key(doc)
        spec = doc.spec
        dest_node = _map(spec.get("destination")).get("name") if doc.category == "crd" else spec.get("Name")
        destination = text(dest_node) or ""
        self._service(doc, destination, dest_node, "", "intention")
        for source in _maps(spec.get("Sources")):
            name_node = source.get("Name")
            peer_node = source.get("Peer")
            peer = self._ref(doc, peer_node, "intention source")
            action = (text(source.get("Action")) or "").lower()
            allows = action == "allow" or any(
                (text(_map(p).get("Action")) or "").lower() == "allow" for p in as_list(source.get("Permissions"))
            )
            if peer is None:
                self._service(doc, text(name_node), name_node, "", "intention")
            self.ix.intentions.setdefault(key, []).append(
                Intention(
                    key[0],
                    key[1],
                    destination,
                    text(name_node) or "",
                    peer,
                    text(source.get("Partition")),
                    text(source.get("SamenessGroup", "sameness_group")),
                    allows,
                    doc,
                    source,
                    peer_node,
                    name_node,
                )
            )

    def _proxy_defaults(self, doc: Document) -> None:
        self._mode(doc, doc.spec.get("MeshGateway"), "proxy-defaults")

    def _service_defaults(self, doc: Document) -> None:
        name = doc.name
        self._mode(doc, doc.spec.get("MeshGateway"), "service-defaults", name)
        upstream_config = _map(doc.spec.get("UpstreamConfig"))
        self._mode(doc, _map(upstream_config.get("Defaults")).get("MeshGateway"), "upstream-defaults", name)
        for override in _maps(upstream_config.get("Overrides")):
            peer = self._ref(doc, override.get(*PEER_KEYS), "service-defaults upstream override")
            self._mode(doc, override.get("MeshGateway"), "override", name, text(override.get("Name")), peer)

    def _resolver(self, doc: Document) -> None:
        self._ref(doc, _map(doc.spec.get("Redirect")).get(*PEER_KEYS), "service-resolver redirect")
        failover = doc.spec.get("Failover")
        for _subset, body in failover.items() if isinstance(failover, Mapping) else ():
            for target in _maps(_map(body).get("Targets")):
                self._ref(doc, target.get(*PEER_KEYS), "service-resolver failover target")

    def _sameness(self, doc: Document) -> None:
        for member in _maps(doc.spec.get("Members")):
            self._ref(doc, member.get(*PEER_KEYS), "sameness-group member")

    def _mesh(self, doc: Document) -> None:
        key = self._key(doc)
        block = doc.spec.get("Peering")
        node = _map(block).get("PeerThroughMeshGateways")
        self.ix.mesh.setdefault(key, []).append(MeshConfig(key[0], key[1], doc, node, block))

    # services and agents ---------------------------------------------------------------
    def _service_definition(self, doc: Document) -> None:
        root = doc.root
        name_node = root.get("name")
        name = text(name_node)
        kind_node = root.get("kind")
        kind = text(kind_node) or ""
        partition = text(root.get("partition")) or doc.partition
        self.ix.cluster_partitions.setdefault(doc.cluster, set()).add(partition)
        if kind == "mesh-gateway" and kind_node is not None:
            key = (doc.cluster, partition)
            self.ix.gateways.setdefault(key, []).append(
                Gateway(key[0], key[1], doc, kind_node, "service", name or "mesh-gateway")
            )
        self._service(doc, name, name_node or root, kind, "definition", partition)
        proxy = root.get("proxy")
        owner = name
        if kind == "connect-proxy":
            owner = text(_map(proxy).get("destination_service_name")) or name
        else:
            proxy = (
                _map(_map(_map(root.get("connect")).get("sidecar_service")).get("proxy")) if proxy is None else proxy
            )
        proxy = _map(proxy)
        self._mode(doc, proxy.get("mesh_gateway"), "proxy", owner)
        for up in _maps(proxy.get("upstreams")):
            dest_node = up.get("destination_name")
            peer_node = up.get("destination_peer")
            peer = self._ref(doc, peer_node, "upstream destination_peer", partition)
            gw = _map(up.get("mesh_gateway")).get("mode")
            dest = text(dest_node) or ""
            if gw is not None and text(gw):
                key = (doc.cluster, partition)
                self.ix.modes.setdefault(key, []).append(
                    ModeSetting(key[0], key[1], text(gw) or "", "upstream", doc, gw, owner, dest, peer)
                )
            self.ix.upstreams.setdefault((doc.cluster, partition), []).append(
                Upstream(
                    doc.cluster,
                    partition,
                    owner or "",
                    dest,
                    peer,
                    text(up.get("destination_partition")),
                    text(up.get("datacenter")),
                    doc,
                    up,
                    dest_node,
                    peer_node,
                    gw,
                )
            )

    def _helm(self, doc: Document) -> None:
        self.ix.helm.setdefault(doc.cluster, []).append(doc)
        root = doc.root
        glob = _map(root.get("global"))
        enabled = _map(root.get("meshGateway")).get("enabled")
        if isinstance(enabled, Scalar) and truthy(enabled):
            key = self._key(doc)
            self.ix.gateways.setdefault(key, []).append(
                Gateway(
                    key[0],
                    key[1],
                    doc,
                    enabled,
                    "helm",
                    text(_map(root.get("meshGateway")).get("consulServiceName")) or "mesh-gateway",
                )
            )
        peering = _map(glob.get("peering")).get("enabled")
        if (
            isinstance(peering, Scalar) and peering.value is not None
        ):  # the chart's reading: "true", "false" and 1 are on
            self.ix.switches.setdefault(doc.cluster, []).append(
                PeeringSwitch(doc.cluster, truthy(peering), doc, peering)
            )
        from linter.versions import consul_k8s_version_of, consul_version_of, show

        for key, product, read in (
            ("image", "consul", consul_version_of),
            ("imageK8s", "consul-k8s", consul_k8s_version_of),
        ):
            node = glob.get(key)
            version = read(text(node))
            if version is not None and node is not None:
                self.ix.versions.append(VersionSetting(doc.cluster, product, show(version), doc, node))

    def _agent(self, doc: Document) -> None:
        for block in _maps(doc.root.get("peering")):
            node = block.get("enabled")
            if isinstance(node, Scalar) and isinstance(node.value, bool):
                self.ix.switches.setdefault(doc.cluster, []).append(PeeringSwitch(doc.cluster, node.value, doc, node))

    def _workload(self, doc: Document) -> None:
        from linter.model.classify import workload_annotation_maps

        inject = name_node = None
        for notes in workload_annotation_maps(doc.root):
            inject = notes.exact("consul.hashicorp.com/connect-inject") or inject
            name_node = notes.exact("consul.hashicorp.com/connect-service") or name_node
        if not is_true(inject):
            return
        name = (text(name_node) or "").split(",")[0].strip() or doc.name
        self._service(doc, name, name_node or doc.name_node(), "", "workload")
        for up in self._annotation_upstreams(doc, name or ""):
            self.ix.upstreams.setdefault((doc.cluster, doc.partition), []).append(up)
            if up.destination_peer and up.peer_node is not None:
                self.ix.references.append(
                    PeerReference(
                        doc.cluster, doc.partition, up.destination_peer, doc, up.peer_node, "upstream annotation"
                    )
                )
            if up.mesh_gateway is not None:
                key = (doc.cluster, doc.partition)
                self.ix.modes.setdefault(key, []).append(
                    ModeSetting(
                        key[0],
                        key[1],
                        text(up.mesh_gateway) or "",
                        "upstream",
                        doc,
                        up.mesh_gateway,
                        up.service,
                        up.destination_name,
                        up.destination_peer,
                    )
                )

    def _annotation_grammar(self, cluster: str) -> tuple[tuple[int, int, int] | None, bool, bool]:
        """(consul-k8s version, namespaces on, partitions on) of ``cluster``, for its
        annotation grammar, read from the install PL601/PL603 read for it
        (:func:`linter.k8s.helm.install_for`: one folder may hold several datacenters'
        values) and its consul-k8s version as :func:`linter.versions.installed`
        says; once per cluster."""
        found = self._grammars.get(cluster)
        if found is None:
            from linter.versions import installed

            install = self.install_for(cluster)
            version = installed(install, self.config)[1]
            namespaces = install is not None and install.truthy("global.enableConsulNamespaces")
            partitions = install is not None and install.truthy("global.adminPartitions.enabled")
            found = self._grammars[cluster] = (version, namespaces, partitions)
        return found

    def _annotation_upstreams(self, doc: Document, owner: str) -> list[Upstream]:
        """Upstreams of ``connect-service-upstreams``, read by the one annotation parser
        (linter.k8s.upstreams) with the grammar of this cluster's consul-k8s version and
        Helm flags. Entries the injector rejects are PL603's, not the graph's."""
        from linter.k8s.upstreams import ANNOTATION, parse_upstreams, part_span
        from linter.model.classify import workload_annotation_maps

        version, namespaces, partitions = self._annotation_grammar(doc.cluster)
        out: list[Upstream] = []
        for notes in workload_annotation_maps(doc.root):
            scalar = notes.exact(ANNOTATION)
            raw = text(scalar)
            if not isinstance(scalar, Scalar) or raw is None:
                continue
            try:
                parsed = parse_upstreams(raw, version, namespaces, partitions)
            except Exception:  # the parser's own rule reports what it cannot read
                continue
            for up in parsed:
                if up.error is not None or up.service is None:
                    continue

                def sub(part, scalar=scalar, raw=raw):
                    if part is None:
                        return None
                    node = Scalar(part.value, part_span(scalar, raw, part.start, part.end), quoted=True)
                    node.path, node.parent = scalar.path, scalar.parent
                    return node

                entry = sub(up.entry)
                out.append(
                    Upstream(
                        doc.cluster,
                        doc.partition,
                        owner,
                        up.service.value,
                        up.peer.value if up.peer else None,
                        up.partition.value if up.partition else None,
                        up.datacenter.value if up.datacenter else None,
                        doc,
                        entry or scalar,
                        sub(up.service),
                        sub(up.peer),
                        sub(up.mesh_gateway_mode),
                        "annotation",
                    )
                )
        return out

    def _versions_from_config(self) -> None:
        config = self.config
        lines = config_lines(config) if config.path and (config.consul_version or config.consul_k8s_version) else None
        for key, product, value in (
            ("consul-version", "consul", config.consul_version),
            ("consul-k8s-version", "consul-k8s", config.consul_k8s_version),
        ):
            if value and config.path:
                self.ix.versions.append(
                    VersionSetting(
                        None,
                        product,
                        value,
                        config_path=config_display_path(config),
                        config_span=config_line_span(lines, config.line_of.get(key, 1)),
                    )
                )
