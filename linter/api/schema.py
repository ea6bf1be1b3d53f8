"""Helper tier: the decoder-shape checks (unknown key, wrong type, bad value, missing
field) that PL101-PL104 share, one schema walk per document for all four.

A facade over :mod:`linter.schemacheck`."""

from __future__ import annotations

from linter.schemacheck import shape_findings

__all__ = ["shape_findings"]
