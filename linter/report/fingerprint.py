"""Fingerprints that survive lines moving: a hash of what a finding is (rule, file,
resource, attribute path), never where it is."""

from __future__ import annotations

import hashlib

from linter.api import Finding


def fingerprint(finding: Finding) -> str:
    code, path, resource, node_path = finding.identity
    key = "\x1f".join((code, path, resource, node_path or finding.message))
    # surrogateescape: a file name that is not UTF-8 still has a fingerprint (issue #21)
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:32]
