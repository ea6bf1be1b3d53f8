"""The topology graph: clusters, partitions, peerings, mesh gateways, services, exports,
intentions and upstreams of every cluster in the repo (see docs/developing.md,
"The topology graph"). ``Project.graph`` calls :func:`build_graph` once per run."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from linter.graph.query import Topology
    from linter.project import Project

__all__ = ["build_graph"]


def build_graph(project: "Project") -> "Topology":
    """The project's :class:`~linter.graph.query.Topology` (networkx is imported
    lazily, here, only when some rule or command asks for the graph)."""
    from linter.graph.build import build_graph as _build

    return _build(project)
