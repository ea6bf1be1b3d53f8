"""The topology graph: clusters, partitions, peerings, mesh gateways, services, exports,
intentions and upstreams of every cluster in the repo (see docs/developing.md,
"The topology graph").

:mod:`linter.graph.build` makes a finished :class:`~linter.graph.query.Topology` from
facts (documents, config, Helm installs; ``Project.graph`` calls it once per run);
:mod:`linter.graph.query` is what rules import: the Topology, its item types and the
questions. Nothing here is imported at start-up, and networkx only by the renderer.
"""
