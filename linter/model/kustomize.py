"""What a ``kustomization.yaml`` says about the files beside it.

Kustomize layouts (a ``base/`` and ``overlays/<env>/``) hold two kinds of YAML that
are not whole objects to create: patches (``patches``, ``patchesStrategicMerge``,
``patchesJson6902``), partial objects merged into a base's, and the resources of a
folder whose ``namespace:`` the kustomization sets. Reading a patch as a resource
makes every required field "missing"; reading an overlay's copy of a base resource as
a second object makes it a "duplicate".
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

from linter.nodes import Mapping, as_list

__all__ = ["Kustomization", "kustomization_beside"]

NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


@dataclass(frozen=True)
class Kustomization:
    namespace: str | None
    #: absolute paths of the patch files it names
    patches: frozenset[str]


def kustomization_beside(folder: str) -> Kustomization | None:
    """The kustomization in ``folder``, if any (each version of the file read once)."""
    for name in NAMES:
        path = os.path.join(folder, name)
        try:
            info = os.stat(path)
        except OSError:
            continue
        return _kustomization_at(path, info.st_mtime_ns, info.st_size)
    return None


@lru_cache(maxsize=1024)
def _kustomization_at(path: str, _mtime: int, _size: int) -> Kustomization:
    from linter.parse import parse_text

    folder = os.path.dirname(path)
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read(1 << 20)
    except OSError:
        return Kustomization(None, frozenset())
    parsed = parse_text(path if path.endswith((".yaml", ".yml")) else path + ".yaml", text)
    root = parsed.documents[0] if parsed.error is None and parsed.documents else None
    if not isinstance(root, Mapping):
        return Kustomization(None, frozenset())
    namespace = root.value("namespace")
    patches: set[str] = set()
    for key in ("patches", "patchesStrategicMerge", "patchesJson6902"):
        for item in as_list(root.get(key)):
            target = item.value("path") if isinstance(item, Mapping) else getattr(item, "value", None)
            if isinstance(target, str) and "\n" not in target:
                patches.add(os.path.normpath(os.path.join(folder, target)))
    return Kustomization(namespace if isinstance(namespace, str) and namespace else None, frozenset(patches))


def is_patch(path: str) -> bool:
    """Whether a kustomization beside ``path`` names it as a patch."""
    absolute = os.path.abspath(path)
    found = kustomization_beside(os.path.dirname(absolute))
    return found is not None and absolute in found.patches


def namespace_for(path: str) -> str | None:
    """The namespace a kustomization beside ``path`` sets on its resources, if any."""
    found = kustomization_beside(os.path.dirname(os.path.abspath(path)))
    return found.namespace if found is not None else None
