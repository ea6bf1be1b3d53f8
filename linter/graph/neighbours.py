"""The topology as a rule of scope ``"peers"`` sees it when only some clusters are
checked again (linter.rerun), and which clusters those are.

A ``"peers"`` rule (linter.api.rule.Rule.scope) reports at a cluster's files what that
cluster and the clusters it peers with declare: an export here and the intentions
there, an upstream here and the peer's exports, the two sides of one peering. So after
a change in clusters C, only the findings at the files of the clusters near C can
change, and they are found again by running the rule over those clusters' items.

- :func:`adjacency`: which clusters peer (a declaration on either side, the remote
  cluster known);
- :func:`near`: the clusters within some hops of a set;
- :class:`ScopedTopology`: the topology whose *listings of everything* (every
  cluster, peering, export, upstream, mode, peer reference) hold only the items of
  some clusters, while every question about one cluster (its exports, its peerings,
  the service a peer exports) is answered from the whole topology, as in a full run.

Held by tests/test_rule_scopes.py (each cluster's findings, the rule run over its
neighbourhood's items, equal the whole run's there) and tests/test_incremental.py
(random edits, every result equal to a full lint).
"""

from __future__ import annotations

from typing import Any, Iterable

#: How far a change reaches: a finding at a cluster's files reads what it and its
#: peers declare (one hop); one more hop of margin costs a few clusters.
REACH = 2


def adjacency(topology: Any) -> dict[str, frozenset[str]]:
    """Each cluster's peers (declared on either side, the remote cluster known)."""
    out: dict[str, set[str]] = {name: set() for name in topology.clusters()}
    for peering in topology.peerings():
        remote = peering.remote_cluster
        if remote is None or remote == peering.cluster:
            continue
        out.setdefault(peering.cluster, set()).add(remote)
        out.setdefault(remote, set()).add(peering.cluster)
    return {name: frozenset(peers) for name, peers in out.items()}


def near(clusters: Iterable[str], tables: Iterable[dict[str, frozenset[str]]], hops: int) -> set[str]:
    """``clusters`` and every cluster within ``hops`` peerings of one of them, by any
    of the adjacency ``tables`` (before and after a change)."""
    found = set(clusters)
    edge = set(found)
    tables = list(tables)
    for _ in range(hops):
        step = set()
        for name in edge:
            for table in tables:
                step |= table.get(name, frozenset())
        edge = step - found
        if not edge:
            break
        found |= edge
    return found


class ScopedTopology:
    """``topology`` with its listings of everything cut down to ``clusters``' items."""

    def __init__(self, topology: Any, clusters: set[str]) -> None:
        self._topology = topology
        self._clusters = clusters

    def clusters(self) -> list[str]:
        return [c for c in self._topology.clusters() if c in self._clusters]

    def peerings(self) -> list[Any]:
        return [p for p in self._topology.peerings() if p.cluster in self._clusters]

    @property
    def all_peerings(self) -> list[Any]:
        return self.peerings()

    def peer_references(self, cluster: str | None = None) -> list[Any]:
        if cluster is not None:
            return self._topology.peer_references(cluster)
        return [r for r in self._topology.peer_references() if r.cluster in self._clusters]

    def mode_settings(self, cluster: str | None = None) -> list[Any]:
        if cluster is not None:
            return self._topology.mode_settings(cluster)
        return [m for m in self._topology.mode_settings() if m.cluster in self._clusters]

    def all_exports(self) -> list[Any]:
        return [e for e in self._topology.all_exports() if e.cluster in self._clusters]

    def upstreams(self, cluster: str | None = None, partition: str | None = None) -> list[Any]:
        if cluster is not None:
            return self._topology.upstreams(cluster, partition)
        return [u for u in self._topology.upstreams(None, partition) if u.cluster in self._clusters]

    def __getattr__(self, name: str) -> Any:
        if name in ("cluster_partitions", "datacenters", "peer_names", "indexes"):
            # listings a rule might iterate: not offered cut down, so a "peers" rule
            # must not read them (tests/test_rule_scopes.py would find it out)
            raise AttributeError(f"a 'peers' rule reads {name} of the whole topology")
        return getattr(self._topology, name)
