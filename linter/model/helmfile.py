"""Values files a ``helmfile.yaml`` passes to the consul chart.

Platform repositories that deploy with helmfile name their consul values files in a
release (``chart: hashicorp/consul``, ``values: [values/consul.yaml]``) and pin the
chart ``version`` there: a strong signal that a file is consul chart values (whatever
keys it sets) and which chart version reads it. Templated entries
(``consul-{{ .Environment.Name }}.yaml``) are matched as globs.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache

from linter.nodes import Mapping, as_list

__all__ = ["HelmfileValues", "helmfile_values"]

NAMES = ("helmfile.yaml", "helmfile.yml", "helmfile.yaml.gotmpl")
_TEMPLATE = re.compile(r"\{\{.*?\}\}")


@dataclass(frozen=True)
class HelmfileValues:
    #: the consul chart version the release pins (one exact version), if any
    version: str | None


def helmfile_values(path: str) -> HelmfileValues | None:
    """The consul release that names ``path`` as values in a helmfile of its folder or
    the two above it, or None."""
    absolute = os.path.abspath(path)
    folder = os.path.dirname(absolute)
    for _ in range(3):
        for name in NAMES:
            candidate = os.path.join(folder, name)
            try:
                info = os.stat(candidate)
            except OSError:
                continue
            for pattern, version in _releases(candidate, info.st_mtime_ns, info.st_size):
                if re.fullmatch(pattern, absolute):
                    return HelmfileValues(version)
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return None


@lru_cache(maxsize=256)
def _releases(path: str, _mtime: int, _size: int) -> tuple[tuple[str, str | None], ...]:
    """(absolute-path regex, pinned version) of every values file of a consul release."""
    from linter.parse import parse_text

    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read(1 << 20)
    except OSError:
        return ()
    # helmfile's own template actions ({{ .Environment.Name }}) stand for any name part
    parsed = parse_text("helmfile.yaml", _TEMPLATE.sub("TEMPLATED", text))
    folder = os.path.dirname(path)
    out: list[tuple[str, str | None]] = []
    for root in parsed.documents if parsed.error is None else []:
        if not isinstance(root, Mapping):
            continue
        for release in as_list(root.get("releases")):
            if not isinstance(release, Mapping):
                continue
            chart = release.value("chart")
            if not isinstance(chart, str) or chart.rstrip("/").rsplit("/", 1)[-1] != "consul":
                continue
            pinned = release.value("version")
            version = pinned if isinstance(pinned, str) and re.fullmatch(r"v?\d+\.\d+\.\d+", pinned) else None
            for item in as_list(release.get("values")):
                value = getattr(item, "value", None)
                if isinstance(value, str) and value.endswith((".yaml", ".yml", ".gotmpl")):
                    full = os.path.normpath(os.path.join(folder, value))
                    pattern = re.escape(full).replace("TEMPLATED", "[^/]*")
                    out.append((pattern, version.lstrip("v") if version else None))
    return tuple(out)
