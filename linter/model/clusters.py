"""Which cluster (datacenter) and partition each document belongs to.

1. From ``[clusters.NAME].paths`` in the project configuration when it has clusters.
2. Otherwise inferred from the layout (:mod:`linter.model.roots`): the folder whose
   subtree holds one datacenter's Helm values or agent configuration is a cluster root
   (``consul.d/``, ``helm/``, ``config/``, ``values/`` below it belong to it), named after
   the datacenter the files set, else after the folder. Every guess is recorded, so
   that no error finding rests on one.
3. With no root at all, everything is one cluster named ``default``.

Cluster names double as peer names unless the configuration (``peer-name``) or the
PeeringAcceptor/PeeringDialer custom resources say otherwise (see linter.graph).
"""

from __future__ import annotations

import os
import re

from linter.config import Config
from linter.discover import relative_path
from linter.globs import glob_regex
from linter.model.document import Document
from linter.model.roots import DEFAULT_CLUSTER, Inference, infer


class ClusterMatcher:
    """Every ``[clusters.NAME].paths`` glob in one regular expression, in order, so a
    file finds its cluster in one match: fnmatch per file, cluster and glob was
    O(files x clusters) Python calls (3.6 s for 10,000 files and 124 clusters)."""

    def __init__(self, config: Config) -> None:
        self.clusters: list[tuple[str, str]] = []
        alternatives: list[str] = []
        for name, cluster in config.clusters.items():
            for glob in cluster.paths:  # gitignore semantics (linter.globs): a folder holds its files
                regex = glob_regex(os.path.normcase(glob))
                if regex is not None:
                    alternatives.append(f"(?P<_c{len(self.clusters)}>{regex})")
                    self.clusters.append((name, cluster.partition))
        # Alternatives are tried left to right: the first cluster whose glob matches wins.
        self.pattern = re.compile("|".join(alternatives)) if alternatives else None

    def match(self, rel: str) -> tuple[str, str]:
        found = self.pattern.match(os.path.normcase(rel)) if self.pattern is not None else None
        if found is None or found.lastgroup is None:
            return DEFAULT_CLUSTER, "default"
        return self.clusters[int(found.lastgroup[2:])]


def cluster_for_path(path: str, config: Config, matcher: ClusterMatcher | None = None) -> tuple[str, str]:
    """(cluster, partition) for a file, by the first cluster whose globs match."""
    rel = relative_path(os.path.abspath(path), os.path.abspath(config.root)).replace(os.sep, "/")
    return (matcher or ClusterMatcher(config)).match(rel)


def assign_clusters(
    documents: list[Document],
    config: Config,
    placed: frozenset[int] = frozenset(),
    cache: dict[str, tuple[str, str]] | None = None,
) -> Inference | None:
    """Set ``cluster`` and ``partition`` on every document (see the module doc); the
    inference (roots, guesses) when the configuration names no clusters. ``placed``:
    ids of documents placed otherwise (Terraform's, by their provider), left out of
    the inference so that they anchor no cluster folder. ``cache``: each path's cluster
    from the configured globs, kept by a caller that assigns the same configuration's
    clusters again (the editor, after each edit)."""
    cache = {} if cache is None else cache
    if config.clusters:
        matcher = ClusterMatcher(config)
        for doc in documents:
            if doc.path not in cache:
                cache[doc.path] = cluster_for_path(doc.path, config, matcher)
            doc.cluster, doc.partition = cache[doc.path]
        return None
    inference = infer([doc for doc in documents if id(doc) not in placed] if placed else documents, config.root)
    if not inference.roots:
        return inference
    for doc in documents:
        doc.cluster, doc.partition = inference.assigned.get(os.path.abspath(doc.path), (DEFAULT_CLUSTER, "default"))
    return inference
