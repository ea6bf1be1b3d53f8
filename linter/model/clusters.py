"""Which cluster (datacenter) and partition each document belongs to.

From ``[clusters.NAME].paths`` in the project configuration when it has clusters;
otherwise every document is in one cluster named ``default``.
"""
from __future__ import annotations

import fnmatch
import os

from linter.config import Config
from linter.model.document import Document

DEFAULT_CLUSTER = "default"


def cluster_for_path(path: str, config: Config) -> tuple[str, str]:
    """(cluster, partition) for a file, by the first cluster whose globs match."""
    rel = os.path.relpath(os.path.abspath(path), config.root).replace(os.sep, "/")
    for name, cluster in config.clusters.items():
        for glob in cluster.paths:
            glob = glob.rstrip("/")
            if fnmatch.fnmatch(rel, glob) or fnmatch.fnmatch(rel, glob + "/*"):
                return name, cluster.partition
    return DEFAULT_CLUSTER, "default"


def assign_clusters(documents: list[Document], config: Config) -> None:
    cache: dict[str, tuple[str, str]] = {}
    for doc in documents:
        if doc.path not in cache:
            cache[doc.path] = cluster_for_path(doc.path, config)
        doc.cluster, doc.partition = cache[doc.path]
