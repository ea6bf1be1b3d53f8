"""No error rests on a guess about clusters.

With no ``[clusters]`` in the configuration the clusters are inferred from the layout
(:mod:`linter.model.roots`). Where the layout does not say enough (two folders that set
one datacenter name, or none; a folder holding several datacenters' values; a file no
cluster folder holds) the boundary is a guess. A finding of a rule that reasons across files
(the topology, a cluster's Helm install) or that relates two files, and touches a file
whose cluster is a guess, is then at most a warning, and its message says what it
depends on and how to pin it; when the file's cluster is not known at all, the finding
is not reported (its cluster is not one of the repository's).
"""

from __future__ import annotations

import dataclasses
import os
from typing import Iterable

from linter.findings import Finding
from linter.model.roots import Inference

PIN = "pin the clusters with [clusters.NAME] paths in peerlint.toml"


def qualify(findings: Iterable[Finding], inference: Inference | None, codes: set[str]) -> list[Finding]:
    """``findings`` of ``codes`` (rules that group files by cluster) and any finding
    relating two files (a duplicate across files is one only within one cluster), when
    they touch a guessed boundary: dropped when a file's cluster is not known at all
    (it sits in no cluster folder, or beside several and names none), else an error
    becomes a warning that says what it rests on (a new finding: a re-check keeps the
    rules' own findings to use again, linter.rerun)."""
    out = []
    if inference is None or not (inference.doubts or inference.guessed):
        return list(findings)
    for finding in findings:
        paths = [finding.path] + [place.path for place in finding.related]
        cluster_wide = finding.code in codes or any(p != finding.path for p in paths)
        if not cluster_wide:
            out.append(finding)
            continue
        if any(os.path.abspath(p) in inference.unknown for p in paths):
            continue  # a file whose cluster nobody knows: nothing about its cluster can be judged
        why = next((w for w in map(inference.guess_about, paths) if w), None)
        if why is not None and finding.severity == "error":
            message = f"{finding.message} (this rests on a guess about clusters: {why}; {PIN})"
            finding = dataclasses.replace(finding, severity="warning", message=message)
        out.append(finding)
    return out
