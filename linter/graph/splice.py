"""The topology after an edit, from the earlier one: only the documents of the clusters
the changed files belong (or belonged) to are read again.

Why it is the same graph: every index entry the builder's pass makes is keyed by the
cluster of the document it reads (``_key``, ``_service``, ``_ref``, ``_mode`` all key by
``doc.cluster``), so a cluster's entries depend only on that cluster's documents; the
entries of the other clusters are the earlier topology's (their documents are the same
objects, linter.commands.pieces). What spans clusters is made again from every
document: each document's partition, the datacenters, the peerings paired from every
peering CR and ``[[peerings]]`` entry, the configuration's versions. A change to Helm
values or an agent configuration (the cluster roots, the annotation grammar) builds the
whole graph. Speed code, fenced off here: tests/test_incremental.py compares every
spliced topology with one built from scratch, item by item.
"""

from __future__ import annotations

from typing import Any, Sequence

from linter.graph.query import Topology, TopologyIndexes
from linter.model.document import Document

#: Index fields keyed by (cluster, partition) or by cluster: taken whole per cluster.
KEYED = ("gateways", "modes", "exports", "intentions", "upstreams", "services", "mesh")
BY_CLUSTER = ("switches", "helm")


def rebuild(
    old: Topology,
    documents: Sequence[Document],
    config: Any,
    install_for: Any,
    acceptors: list[Document],
    dialers: list[Document],
    clusters: set[str],
) -> Topology:
    """The topology of ``documents``, reading only the documents of ``clusters``."""
    from linter.graph.build import TopologyBuilder

    before = old.indexes

    def splice(ix: TopologyIndexes) -> set[str]:
        for name in KEYED:
            target = getattr(ix, name)
            for key, items in getattr(before, name).items():
                if key[0] not in clusters:
                    target[key] = items
        for name in BY_CLUSTER:
            target = getattr(ix, name)
            for key, items in getattr(before, name).items():
                if key not in clusters:
                    target[key] = items
        ix.references.extend(r for r in before.references if r.cluster not in clusters)
        ix.versions.extend(v for v in before.versions if v.doc is not None and v.cluster not in clusters)
        for name, parts in before.read_partitions.items():
            if name not in clusters:
                ix.cluster_partitions.setdefault(name, set()).update(parts)
        return clusters

    return TopologyBuilder(config, install_for).build(documents, acceptors, dialers, splice)
