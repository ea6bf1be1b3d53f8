"""No error rests on a guess about clusters.

With no ``[clusters]`` in the configuration the clusters are inferred from the layout
(:mod:`linter.model.roots`). Where the layout does not say enough (two folders that set
one datacenter name, or none; a folder holding several datacenters' values; a file no
cluster folder holds) the boundary is a guess. A finding of a rule that reasons across files
(the topology, a cluster's Helm install) or that relates two files, and touches a file
whose cluster is a guess, is then at most a warning, and its message says what it
depends on and how to pin it.
"""

from __future__ import annotations

from typing import Iterable

from linter.findings import Finding
from linter.model.roots import Inference

PIN = "pin the clusters with [clusters.NAME] paths in peerlint.toml"


def qualify(findings: Iterable[Finding], inference: Inference | None, codes: set[str]) -> list[Finding]:
    """``findings`` with every error that touches a guessed cluster boundary made a
    warning that says so (in place; returned as a list): errors of ``codes`` (rules that
    group files by cluster), and any error relating two files (a duplicate across files
    is one only within one cluster)."""
    out = list(findings)
    if inference is None or not (inference.doubts or inference.guessed):
        return out
    for finding in out:
        if finding.severity != "error":
            continue
        if finding.code not in codes and all(place.path == finding.path for place in finding.related):
            continue  # a finding about one file, by a rule that does not group files by cluster
        why = inference.guess_about(finding.path)
        for place in finding.related:
            why = why or inference.guess_about(place.path)
        if why is None:
            continue
        finding.severity = "warning"
        finding.message = f"{finding.message} (this rests on a guess about clusters: {why}; {PIN})"
    return out
