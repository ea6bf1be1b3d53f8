"""Which Helm chart a values file belongs to, from the ``Chart.yaml`` beside it.

A ``values.yaml`` next to a ``Chart.yaml`` is that chart's values: an app chart's or
Vault's are not the consul chart's, whatever keys they share (``global``, ``server``,
``ui``). An umbrella chart that depends on the consul chart passes it the values under
the dependency's alias or name (``consul:`` by default), so that subtree is consul
chart values. The consul chart's own ``values.yaml`` (a vendored copy of the chart) is
its defaults, not a user's settings.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache

from linter.nodes import Mapping, as_list

__all__ = ["Chart", "chart_beside"]


@dataclass(frozen=True)
class Chart:
    name: str
    #: the key under which the chart's values hold the consul chart's (a dependency's
    #: alias or name); None when it does not depend on the consul chart
    consul_key: str | None
    #: the consul chart version the dependency pins, when it is one exact version
    consul_version: str | None = None


def chart_beside(folder: str) -> Chart | None:
    """The chart whose ``Chart.yaml`` is in ``folder``, if any (each version of the
    file read once: an editor session sees an edited Chart.yaml)."""
    for name in ("Chart.yaml", "Chart.yml"):
        path = os.path.join(folder, name)
        try:
            info = os.stat(path)
        except OSError:
            continue
        return _chart_at(path, info.st_mtime_ns, info.st_size)
    return None


@lru_cache(maxsize=1024)
def _chart_at(path: str, _mtime: int, _size: int) -> Chart:
    from linter.parse import parse_text

    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read(1 << 20)
    except OSError:
        return Chart("", None)
    parsed = parse_text(path, text)
    root = parsed.documents[0] if parsed.error is None and parsed.documents else None
    if not isinstance(root, Mapping):
        return Chart("", None)
    chart_name = root.value("name")
    consul_key = version = None
    for dep in as_list(root.get("dependencies")):
        if isinstance(dep, Mapping) and dep.value("name") == "consul":
            alias = dep.value("alias")
            consul_key = alias if isinstance(alias, str) and alias else "consul"
            pinned = dep.value("version")
            if isinstance(pinned, str) and re.fullmatch(r"v?\d+\.\d+\.\d+", pinned.strip()):
                version = pinned.strip().lstrip("v")  # a range (~1.3, >=1.2) pins no one version
    return Chart(chart_name if isinstance(chart_name, str) else "", consul_key, version)
