"""Helper tier: Consul and consul-k8s versions as the repository pins them, and the
first versions that have a feature. A facade over :mod:`linter.versions`."""

from __future__ import annotations

from linter.versions import MINIMUMS, at_least, installed, parse_version, show

__all__ = ["MINIMUMS", "at_least", "installed", "parse_version", "show"]
