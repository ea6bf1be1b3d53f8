"""Consul chart values keys judged against the chart version the cluster runs.

Helm ignores a key the chart does not read (the chart's ``values.schema.json`` allows
any), so an unknown key is never "Consul would reject it": it is a setting that does
nothing, worth a warning. And keys come and go between chart versions
(``global.imageEnvoy`` went in 1.0, ``global.imageConsulDataplane`` came), so a key
is judged against the version the cluster pins (``global.imageK8S``'s tag, else
``consul-k8s-version``): a key that version reads never fires; one it no longer reads
names the version that dropped it. With no version known, only a key no chart version
reads fires. The table is schemas/helm-keys.json (tools/gen_helm_keys.py, from
consul-k8s's ``charts/consul/values.yaml`` at every minor).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterator

from linter.kinds import did_you_mean
from linter.model.document import Document
from linter.nodes import Mapping, Scalar
from linter.schemaload import SCHEMA_DIR
from linter.versions import Version

__all__ = ["KeyIssue", "chart_minor", "helm_unknown", "looks_like_chart_values", "unknown_keys"]


@dataclass(frozen=True)
class KeyIssue:
    key: Scalar
    message: str
    fix: str
    #: the did-you-mean spelling the key is renamed to by ``check --fix``, if any
    replacement: str | None = None


@dataclass(frozen=True)
class _Table:
    versions: tuple[str, ...]
    #: path -> (indexes of the versions that read it, its content is free-form)
    keys: dict[str, tuple[frozenset[int], bool]]
    #: parent path ("" for the top) -> child key names, by version index
    children: dict[str, dict[int, list[str]]]


@lru_cache(maxsize=1)
def _table() -> _Table:
    with open(os.path.join(SCHEMA_DIR, "helm-keys.json"), encoding="utf-8") as handle:
        data = json.load(handle)
    versions = tuple(data["versions"])
    index = {v: i for i, v in enumerate(versions)}
    keys: dict[str, tuple[frozenset[int], bool]] = {}
    children: dict[str, dict[int, list[str]]] = {}
    for path, spec in data["keys"].items():
        is_open = spec.endswith("+")
        found: set[int] = set()
        for span in spec.rstrip("+").split(","):
            first, last = span.split("-")
            found.update(range(index[first], index[last] + 1))
        keys[path] = (frozenset(found), is_open)
        parent, _, name = path.rpartition(".")
        for i in found:
            children.setdefault(parent, {}).setdefault(i, []).append(name)
    return _Table(versions, keys, children)


def chart_minor(version: Version | None) -> int | None:
    """The table's index of the chart minor ``version`` is, or None when it is not in
    the table (unknown, older than the last 0.x or newer than the newest)."""
    if version is None:
        return None
    table = _table()
    minor = f"{version[0]}.{version[1]}"
    return table.versions.index(minor) if minor in table.versions else None


def unknown_keys(doc: Document, version: Version | None) -> Iterator[KeyIssue]:
    """Keys of ``doc`` (consul chart values) that the chart at ``version`` does not
    read (None: that no version in the table reads)."""
    table = _table()
    at = chart_minor(version)
    stack: list[tuple[Mapping, str]] = [(doc.root, "")]
    while stack:
        mapping, prefix = stack.pop()
        for key, value in mapping.entries:
            if not isinstance(key.value, str):
                continue
            path = f"{prefix}.{key.value}" if prefix else key.value
            known = table.keys.get(path)
            if known is not None and (at is None or at in known[0]):
                if not known[1] and isinstance(value, Mapping):
                    stack.append((value, path))
                continue
            issue = _issue(table, key, path, prefix, known, at, version)
            if issue is not None:
                yield issue


def _issue(
    table: _Table, key: Scalar, path: str, prefix: str, known: Any, at: int | None, version: Version | None
) -> KeyIssue | None:
    if at is None:
        choices = sorted({n for names in table.children.get(prefix, {}).values() for n in names})
        chart = f"no consul chart from {table.versions[0]} to {table.versions[-1]}"
    else:
        choices = table.children.get(prefix, {}).get(at, [])
        chart = f"the consul chart {table.versions[at]}"
    if known is not None:  # read by other versions than the one the cluster runs
        later = [i for i in known[0] if i > at]
        earlier = [i for i in known[0] if i < at]
        if earlier and not later:
            dropped = table.versions[max(earlier) + 1]
            note = f" (chart {dropped} dropped it; read up to {table.versions[max(earlier)]})"
        else:
            note = f" (chart {table.versions[min(later)]} added it)"
        hint = did_you_mean(str(key.value), [c for c in choices if c != key.value])
        return KeyIssue(
            key,
            f'unknown value "{path}": {chart} does not read it{note}' + (f"; did you mean {hint!r}?" if hint else ""),
            f'rename "{key.value}" to "{hint}"' if hint else f'remove "{key.value}": Helm ignores it',
            hint,
        )
    hint = did_you_mean(str(key.value), choices)
    verb = "does not read it" if at is not None else "reads it"
    return KeyIssue(
        key,
        f'unknown value "{path}": {chart} {verb}' + (f"; did you mean {hint!r}?" if hint else ""),
        f'rename "{key.value}" to "{hint}"' if hint else f'remove "{key.value}": Helm ignores it',
        hint,
    )


def looks_like_chart_values(root: Mapping, depth: int = 3) -> bool:
    """Whether ``root`` is made of consul chart keys: every top-level key one some
    chart version reads, at least three nested key paths it reads, and few it does
    not (a typo or a documentation slip such as ``global.metrics.provider``). Vault's
    chart values have ``injector``, an app chart's ``replicaCount``: never consul's."""
    table = _table()
    known = unknown = 0
    stack: list[tuple[Mapping, str, int]] = [(root, "", 1)]
    while stack:
        mapping, prefix, level = stack.pop()
        for key, value in mapping.entries:
            path = f"{prefix}.{key.value}" if prefix else str(key.value)
            found = table.keys.get(path)
            if found is None:
                if level == 1:
                    return False
                unknown += 1
                continue
            known += level >= 2
            if not found[1] and isinstance(value, Mapping) and level < depth:
                stack.append((value, path, level + 1))
    return known >= 3 and unknown * 4 <= known


def helm_unknown(rule: Any, project: Any):
    """Consul chart values keys the chart version the cluster runs does not read: a
    warning (Helm ignores them; nothing is rejected), see :mod:`linter.k8s.chartkeys`."""
    from linter.k8s.helm import project_installs
    from linter.model.document import HELM_VALUES
    from linter.versions import installed, parse_version

    docs = [doc for doc in project.documents if doc.category == HELM_VALUES]
    if not docs:
        return
    version_of: dict[int, Any] = {}
    for install in project_installs(project):
        k8s = installed(install, project.config)[1]
        for doc in install.docs:
            version_of.setdefault(id(doc), k8s)
    for doc in docs:
        version = version_of.get(id(doc))
        if version is None and id(doc) not in version_of:
            version = installed(None, project.config)[1]
        if version is None:  # an umbrella Chart.yaml or a helmfile release pins the consul chart
            version = parse_version(doc.extra.get("chart_version"))
        for issue in unknown_keys(doc, version):
            yield rule.report(doc.at(issue.key), issue.message, fix=_fix(project, doc, issue), severity="warning")


def _fix(project: Any, doc: Document, issue: KeyIssue) -> Any:
    """The advice, with the rename as an edit when the mapping does not already hold the
    right spelling (renaming onto it would make a duplicate key)."""
    from linter.findings import Fix
    from linter.textedits import scalar_edits

    parent = issue.key.parent
    if issue.replacement is None or (isinstance(parent, Mapping) and parent.exact(issue.replacement) is not None):
        return Fix(issue.fix)
    return Fix(issue.fix, scalar_edits(project.texts, doc, issue.key, issue.replacement))
