"""Which cluster each Terraform document is: the one its consul provider points at.

A resource's ``provider = consul.ALIAS`` (none: the default ``provider "consul"``) names
a provider block of the same module (folder). Its cluster is, in order:

1. the configured cluster whose ``provider`` is that alias (``[clusters.NAME]``);
2. the configured cluster whose datacenter is the provider's ``datacenter``;
3. with no such cluster: the provider's ``datacenter``, else its alias;
4. else where the file's path puts it (a default provider naming no datacenter).

A consul ``helm_release`` is not a consul provider's: it is the cluster its values'
``global.datacenter`` names (rules 2-3), else rule 1 with its helm provider alias. The
partition is the resource's ``partition`` when it sets one, else the cluster's. The
files a release names in ``values = [file(...)]`` join the release's cluster.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from linter.model.document import HELM_VALUES, Document
from linter.nodes import Mapping, Scalar

if TYPE_CHECKING:
    from linter.config import Config
    from linter.model.roots import Inference

__all__ = ["assign_terraform", "helm_files_documents", "releases_with_missing_files", "terraform_placements"]


def _alias(ref: str) -> str | None:
    """``consul.dc2`` -> ``dc2``; ``consul`` -> None."""
    return ref.split(".", 1)[1] if "." in ref else None


def _literal(body: Mapping, name: str) -> str | None:
    value = body.value(name)
    return value if isinstance(value, str) and value else None


def _by_datacenter(config: Config, datacenter: str) -> str:
    if datacenter in config.clusters:
        return datacenter
    named = [c.name for c in config.clusters.values() if c.datacenter == datacenter]
    return named[0] if len(named) == 1 else datacenter


def _cluster_for(config: Config, alias: str | None, datacenter: str | None) -> str | None:
    if alias is not None:
        for cluster in config.clusters.values():
            if cluster.provider == alias:
                return cluster.name
    if datacenter is not None:
        return _by_datacenter(config, datacenter)
    return alias


def _helm_datacenter(doc: Document) -> str | None:
    glob = doc.root.get("global")
    value = glob.get("datacenter") if isinstance(glob, Mapping) else None
    return value.value if isinstance(value, Scalar) and isinstance(value.value, str) else None


def terraform_placements(documents: list[Document], config: Config) -> dict[int, tuple[str, str]]:
    """``id(doc)`` -> (cluster, partition) for every document Terraform places: the
    resources whose provider (or consul helm_release) names their cluster, and the
    values files such a release names. Computed before the layout is inferred, so that
    these never anchor a cluster folder (a Terraform folder often configures several
    clusters: the provider, not the folder, says which)."""
    providers: dict[tuple[str, str | None], Document] = {}
    for doc in documents:
        if doc.category == "terraform-provider":
            providers[(doc.extra["module"], _literal(doc.root, "alias"))] = doc
    helm_files: dict[str, tuple[str, str]] = {}
    out: dict[int, tuple[str, str]] = {}
    for doc in documents:
        if "terraform" not in doc.extra:
            continue
        ref = doc.extra.get("provider", "consul")
        alias = _alias(ref) if ref.startswith("consul") else None
        if doc.category == "terraform-provider":
            alias = _literal(doc.root, "alias")
            datacenter = _literal(doc.root, "datacenter")
        elif doc.category in (HELM_VALUES, "terraform-helm-release"):
            alias, datacenter = _alias(ref), _helm_datacenter(doc)
        else:
            provider = providers.get((doc.extra["module"], alias))
            datacenter = _literal(provider.root, "datacenter") if provider is not None else None
        cluster = _cluster_for(config, alias, datacenter)
        if cluster is None:
            continue
        configured = config.clusters.get(cluster)
        partition = _literal(doc.root, "Partition") or (configured.partition if configured else "default")
        out[id(doc)] = (cluster, partition)
        for path in doc.extra.get("helm_files", ()):
            helm_files[path] = (cluster, partition)
    for doc in documents:
        if doc.category == HELM_VALUES and "terraform" not in doc.extra:
            found = helm_files.get(os.path.abspath(doc.path))
            if found is not None:
                out[id(doc)] = found
    _merge_order(documents)
    return out


def _merge_order(documents: list[Document]) -> None:
    """A release's Helm values merge as Helm merges them: its ``values`` files in
    order, then its own ``set`` blocks (``extra["helm_order"]``, read by
    linter.k8s.helm's merge order)."""
    by_path = {os.path.abspath(doc.path): doc for doc in documents if doc.category == HELM_VALUES}
    for doc in documents:
        files = doc.extra.get("helm_files")
        if files is None:
            continue
        for position, path in enumerate(files):
            named = by_path.get(path)
            if named is not None:
                named.extra["helm_order"] = (doc.path, position)
        doc.extra["helm_order"] = (doc.path, len(files))


def assign_terraform(
    documents: list[Document], placements: dict[int, tuple[str, str]], inference: Inference | None
) -> None:
    """Set ``cluster`` and ``partition`` of the documents Terraform places (see
    :func:`terraform_placements`); the provider says it, so their files are no guess."""
    placed: dict[str, tuple[str, str]] = {}
    for doc in documents:
        where = placements.get(id(doc))
        if where is not None:
            doc.cluster, doc.partition = where
            placed.setdefault(os.path.abspath(doc.path), where)
    if inference is not None:
        for path, where in placed.items():
            inference.guessed.pop(path, None)
            inference.unknown.discard(path)
            inference.assigned[path] = where


def helm_files_documents(documents: list[Document], files: list[str], config: Config) -> list[Document]:
    """The Helm values documents of the files a consul ``helm_release`` names
    (``values = [file(...)]``) that were not recognised as Helm values on their own (a
    values file with only a few keys): read again, as Helm values."""
    from linter.load import parse_one
    from linter.model.classify import classify

    named = {path for doc in documents for path in doc.extra.get("helm_files", ())}
    if not named:
        return []
    have = {os.path.abspath(doc.path) for doc in documents if doc.category == HELM_VALUES}
    out: list[Document] = []
    for shown in files:
        absolute = os.path.abspath(shown)
        if absolute not in named or absolute in have or not shown.lower().endswith((".yaml", ".yml")):
            continue
        _path, _source, parsed = parse_one(shown, config.max_file_size)
        if parsed is None or parsed.error is not None:
            continue
        for index, root in enumerate(parsed.documents):
            out.extend(d for d in classify(root, shown, index, "yaml", True) if d.category == HELM_VALUES)
    return out


def releases_with_missing_files(documents: list[Document], files: list[str]) -> list[tuple[Document, str]]:
    """The consul helm_release documents whose values name a file that is not among the
    checked ``files``, and why: the release's values are then not known (its ``set``
    blocks alone would read as a chart installed with defaults)."""
    have = {os.path.abspath(path) for path in files}
    out = []
    for doc in documents:
        missing = [path for path in doc.extra.get("helm_files", ()) if path not in have]
        if missing:
            shown = os.path.relpath(missing[0]).replace(os.sep, "/")
            out.append((doc, f"{doc.extra['terraform']}: values file {shown} is not among the checked files"))
    return out
