"""``peerlint init [DIR]``: write a commented ``peerlint.toml`` from what the layout says
(the clusters inferred with no configuration, their paths, editions and the peerings
seen), so that a user pins the inference instead of re-typing it. Never overwrites a
configuration: a run that finds one exits 2 and says where it is."""

from __future__ import annotations

import os
import re
import sys
from typing import Any

from linter.config import CONFIG_NAMES, Config, find_config
from linter.engine import load_project

EXIT_OK, EXIT_ERROR = 0, 2
_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(name: str) -> str:
    return name if _BARE.match(name) else '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _q(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _table_names(roots: list[Any]) -> dict[int, str]:
    """A valid, unique ``[clusters.NAME]`` per root (the name doubles as datacenter
    when none is set, which must match ``^[a-z0-9_-]+$``)."""
    out: dict[int, str] = {}
    used: set[str] = set()
    for root in roots:
        name = re.sub(r"[^a-z0-9_-]+", "-", root.name.lower()).strip("-") or "cluster"
        if root.partition != "default":
            name = f"{name}-{root.partition.lower()}"
        base, n = name, 2
        while name in used:
            name, n = f"{base}-{n}", n + 1
        used.add(name)
        out[id(root)] = name
    return out


def render(project: Any, base: str) -> str:
    """The peerlint.toml text for ``project`` (loaded with no configuration)."""
    inference = project.inference
    roots = inference.roots if inference is not None else []
    lines = [
        "# peerlint.toml, written by `peerlint init` from this repository's layout.",
        "# peerlint inferred what follows; review it. What is set here wins over inference:",
        "# every file outside these paths belongs to no cluster of yours (cluster `default`).",
        "# (README, Configuration, says what each key does.)",
        "",
        '# edition = "ce"            # or "enterprise": every cluster without its own edition',
        '# consul-version = "1.17.2" # the version your servers run',
    ]
    terraform = _terraform_clusters(project, base, {r.name for r in roots})
    if not roots and terraform:
        return "\n".join(lines + terraform) + "\n"
    if not roots:
        lines += [
            "",
            "# No Helm values or agent configuration found: no cluster to pin. A cluster is",
            "# declared like this (paths are globs relative to this file):",
            "# [clusters.dc1]",
            '# paths = ["dc1"]',
        ]
        return "\n".join(lines) + "\n"
    guesses = sorted(set(inference.doubts.values()) | set(inference.guessed.values()))
    if guesses:
        lines += ["", "# Guesses peerlint made (check these first):"]
        lines += [f"#   - {g}" for g in guesses]
    editions = [project.edition_of(root.name) for root in roots]
    if all(e.enterprise and e.source == "files" for e in editions):
        lines += ["", f'edition = "enterprise"  # every cluster found is: {editions[0].why}']
    unplaced = sorted(
        os.path.relpath(path, base).replace(os.sep, "/")
        for path, (cluster, _partition) in inference.assigned.items()
        if cluster == "default" and path in inference.guessed
    )
    if unplaced:
        lines += ["", "# In no cluster's paths (which cluster they belong to is unclear; add them to one):"]
        lines += [f"#   {p}" for p in unplaced]
    names = _table_names(roots)
    by_cluster: dict[str, list[str]] = {}
    for path, (cluster, _partition) in inference.assigned.items():
        if path in inference.guessed:
            by_cluster.setdefault(cluster, []).append(os.path.relpath(path, base).replace(os.sep, "/"))
    for root in roots:
        rel = os.path.relpath(root.folder, base).replace(os.sep, "/")
        anchors = ", ".join(sorted({os.path.relpath(d.path, base).replace(os.sep, "/") for d in root.anchors})[:3])
        lines += ["", f"[clusters.{_key(names[id(root)])}]", f"# found by {anchors}"]
        if root.datacenter:
            lines.append(f"datacenter = {_q(root.datacenter)}")
        else:
            lines.append("# datacenter: the files set none (Consul's default is dc1); set the real one")
        if root.partition != "default":
            lines.append(f"partition = {_q(root.partition)}")
        paths = sorted(os.path.relpath(p, base).replace(os.sep, "/") for p in root.only) if root.only else []
        if not root.only:
            paths = ["*" if rel == "." else rel]
        extra = sorted(by_cluster.pop(root.name, []))
        if extra:
            lines.append("# files outside the cluster's folder whose path names it are listed too")
        lines.append("paths = [" + ", ".join(_q(p) for p in paths + extra) + "]")
        edition = project.edition_of(root.name)
        if edition.source == "files" and edition.enterprise and not all(e.enterprise for e in editions):
            lines.append(f'edition = "enterprise"  # {edition.why}')
    lines += terraform
    pairs = _peerings(project, roots, names)
    if pairs:
        lines += ["", "# Peerings seen (PeeringAcceptor/PeeringDialer pairs, peer names used)"]
        for a, b, where in pairs:
            lines += ["[[peerings]]", f"# {where}", f"a = {_q(a)}", f"b = {_q(b)}"]
    return "\n".join(lines) + "\n"


def _terraform_clusters(project: Any, base: str, taken: set[str]) -> list[str]:
    """A ``[clusters.NAME]`` with ``provider`` per aliased consul provider block (the
    clusters Terraform configures: linter.model.tfclusters), unless a folder's cluster
    already has the name."""
    lines: list[str] = []
    seen: set[str] = set(taken)
    for doc in project.documents:
        alias = doc.root.value("alias") if doc.category == "terraform-provider" else None
        if not isinstance(alias, str) or not _BARE.match(alias) or doc.cluster in seen:
            continue
        seen.add(doc.cluster)
        rel = os.path.relpath(os.path.abspath(doc.path), base).replace(os.sep, "/")
        lines += ["", f"[clusters.{_key(doc.cluster)}]", f"# the resources of provider consul.{alias} ({rel})"]
        datacenter = doc.root.value("datacenter")
        if isinstance(datacenter, str) and datacenter != doc.cluster:
            lines.append(f"datacenter = {_q(datacenter)}")
        lines.append(f"provider = {_q(alias)}")
    return lines


def _peerings(project: Any, roots: list[Any], names: dict[int, str]) -> list[tuple[str, str, str]]:
    """(table a, table b, where it was seen) for every pair of inferred clusters the
    repository peers: paired CRs, or a peer name that is another cluster's name."""
    table = {}
    for root in roots:
        table.setdefault(root.name, names[id(root)])
    by_peer_name = {r.name.lower(): r.name for r in roots} | {r.datacenter: r.name for r in roots if r.datacenter}
    graph = project.graph
    seen: dict[frozenset, tuple[str, str, str]] = {}
    for peering in graph.peerings():
        other = peering.remote_cluster
        if other and other != peering.cluster and peering.cluster in table and other in table:
            where = f"{peering.role} {peering.peer_name} in {peering.cluster}"
            seen.setdefault(frozenset((peering.cluster, other)), (table[peering.cluster], table[other], where))
    for ref in graph.peer_references():
        other = by_peer_name.get(ref.name.lower())
        if other and other != ref.cluster and ref.cluster in table:
            where = f"{ref.context} Peer = {ref.name!r} in {ref.doc.path}"
            seen.setdefault(frozenset((ref.cluster, other)), (table[ref.cluster], table[other], where))
    return list(seen.values())


def run(args: Any) -> int:
    target = os.path.abspath(args.path or ".")
    if not os.path.isdir(target):
        print(f"peerlint: init: {args.path} is not a folder", file=sys.stderr)
        return EXIT_ERROR
    found = find_config(target)
    if found is not None and os.path.dirname(found) == target:
        print(f"peerlint: init: {found} already exists; not overwriting it", file=sys.stderr)
        return EXIT_ERROR
    out = os.path.join(target, CONFIG_NAMES[0])
    project = load_project([target], Config(root=target))
    text = render(project, target)
    try:
        with open(out, "x", encoding="utf-8") as handle:  # "x": never overwrite, even in a race
            handle.write(text)
    except FileExistsError:
        print(f"peerlint: init: {out} already exists; not overwriting it", file=sys.stderr)
        return EXIT_ERROR
    except OSError as err:
        print(f"peerlint: init: cannot write {out}: {err.strerror or err}", file=sys.stderr)
        return EXIT_ERROR
    if found is not None:
        print(f"peerlint: init: note: {found} above this folder no longer applies here", file=sys.stderr)
    print(f"peerlint: wrote {out} ({text.count(chr(10) + '[clusters.')} cluster(s)); review it", file=sys.stderr)
    return EXIT_OK
