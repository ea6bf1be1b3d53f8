"""Cluster roots found without a configuration: the zero-config project model.

A cluster is anchored by the files only a cluster has: Consul Helm values and top-level
agent configurations. The anchor's folder is climbed while it is one of the folders
teams keep *inside* a cluster's folder (``consul.d/``, ``helm/``, ``config/``,
``values/``...): ``vm/dc-east/consul.d/server.hcl`` makes ``vm/dc-east`` the root, so the
CRDs, config entries and services beside ``consul.d/`` belong to it too.

Naming: after the datacenter the files set; when they set none, or two roots set the
same one in the same partition, after the folder (folders with one base name by their
path from the project root). Roots that set one datacenter in different admin
partitions are one cluster (Consul's model: partitions of one datacenter).

Where the files do not say enough the boundary is a *guess*, recorded with why
(:attr:`Inference.doubts` per cluster, :attr:`Inference.guessed` per file): two roots
that are (or default to) one datacenter name, one folder holding several datacenters'
Helm values, a file no root holds. The engine keeps errors that rest on a guess from
being errors (:mod:`linter.model.guesses`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from linter.k8s.helm import truthy
from linter.model.document import AGENT_CONFIG, HELM_VALUES, Document
from linter.nodes import Mapping, Node, walk

DEFAULT_CLUSTER = "default"
#: Folders kept inside a cluster's folder: their parent is the cluster.
CONTAINERS = frozenset(
    {
        "consul.d",
        "consul",
        "consul-config",
        "consul_config",
        "helm",
        "chart",
        "charts",
        "config",
        "configs",
        "conf",
        "conf.d",
        "values",
        "agent",
        "agents",
        "server",
        "servers",
        "client",
        "clients",
        "etc",
    }
)
_TOKEN = re.compile(r"[^a-z0-9]+")


@dataclass
class ClusterRoot:
    """A folder found to hold one cluster's files (one datacenter and partition)."""

    folder: str  # absolute
    name: str
    partition: str
    datacenter: str | None  # as the file sets it; None when only implied
    doc: Document  # the first anchor
    node: Node | None  # the datacenter value, when set
    anchors: list[Document] = field(default_factory=list)
    #: Only these files (a folder holding several datacenters' values); empty: the subtree.
    only: set[str] = field(default_factory=set)


@dataclass
class Inference:
    """What the layout says: roots, each file's cluster, and every guess made."""

    roots: list[ClusterRoot] = field(default_factory=list)
    #: absolute path -> (cluster, partition)
    assigned: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: cluster -> why its boundary is a guess
    doubts: dict[str, str] = field(default_factory=dict)
    #: absolute path -> why its cluster is a guess
    guessed: dict[str, str] = field(default_factory=dict)
    #: absolute paths whose cluster is not known at all (put in ``default``)
    unknown: set[str] = field(default_factory=set)
    #: how many files were placed by each kind of guess (for the one-line summary)
    guess_counts: dict[str, int] = field(default_factory=dict)

    def guess(self, path: str, why: str, label: str) -> None:
        self.guessed[path] = why
        self.guess_counts[label] = self.guess_counts.get(label, 0) + 1

    def guess_about(self, path: str) -> str | None:
        """Why the cluster of the file at ``path`` is a guess, or None."""
        absolute = os.path.abspath(path)
        if absolute in self.guessed:
            return self.guessed[absolute]
        cluster = self.assigned.get(absolute, (None, None))[0]
        return self.doubts.get(cluster) if cluster is not None else None

    def summary(self, base: str) -> str:
        """One line for standard error: what was inferred, and how to pin it."""
        shown = []
        for root in self.roots:
            rel = os.path.relpath(root.folder, base).replace(os.sep, "/")
            part = f", partition {root.partition}" if root.partition != "default" else ""
            shown.append(f"{root.name} ({rel}{part})")
        listed = ", ".join(shown[:6]) + (f" and {len(shown) - 6} more" if len(shown) > 6 else "")
        text = f"no [clusters] configured: inferred {len(shown)} cluster(s) from the layout: {listed}"
        guesses = sorted(set(self.doubts.values()))
        guesses += [f"{count} file(s) {label}" for label, count in sorted(self.guess_counts.items())]
        if guesses:
            text += f"; {len(guesses)} guess(es), cross-cluster findings resting on them are not errors: " + "; ".join(
                guesses[:3]
            )
            if len(guesses) > 3:
                text += "; ..."
        return text + ". Pin them with [clusters.NAME] paths = [...] in peerlint.toml (`peerlint init` writes one)"


def _str(node: Node | None) -> str | None:
    value = getattr(node, "value", None)
    return value if isinstance(value, str) and value else None


def anchor_of(doc: Document) -> tuple[str | None, Node | None, str] | None:
    """(datacenter, its node, partition) of a file that only a cluster has, else None."""
    if doc.category == HELM_VALUES:
        glob = doc.root.get("global")
        glob = glob if isinstance(glob, Mapping) else Mapping([], doc.root.span)
        node = glob.get("datacenter")
        partition = "default"
        parts = glob.get("adminPartitions")
        if isinstance(parts, Mapping) and truthy(parts.get("enabled")):
            partition = _str(parts.get("name")) or "default"
        dc = _str(node)
        return (dc.lower() if dc else None), node, partition
    if doc.category == AGENT_CONFIG and doc.parent is None:
        node = doc.root.get("datacenter")
        dc = _str(node)
        return (dc.lower() if dc else None), node, _str(doc.root.get("partition")) or "default"
    return None


def _home(folder: str, base: str) -> str:
    """The cluster folder of an anchor in ``folder``: climbed out of container folders,
    never above the project root."""
    while folder != base and folder.startswith(base) and os.path.basename(folder).lower() in CONTAINERS:
        folder = os.path.dirname(folder)
    return folder


def _tokens(rel: str) -> set[str]:
    """Words of a relative path (folders and file stem), for matching cluster names."""
    stem = os.path.splitext(rel)[0].lower()
    words = set(stem.split("/"))
    for part in stem.split("/"):
        words.update(w for w in _TOKEN.split(part) if w)
    return words


def infer(documents: list[Document], base: str) -> Inference:
    """The roots of ``documents`` and every file's cluster (see the module doc)."""
    base = os.path.abspath(base)
    homes: dict[str, list[tuple[Document, str | None, Node | None, str]]] = {}
    for doc in documents:
        anchor = anchor_of(doc)
        if anchor is not None:
            folder = _home(os.path.dirname(os.path.abspath(doc.path)), base)
            homes.setdefault(folder, []).append((doc, *anchor))
    out = Inference()
    for folder in sorted(homes):
        out.roots.extend(_roots_in(folder, homes[folder], out))
    _name(out, base)
    _assign(documents, out, base)
    return out


def _roots_in(folder: str, anchors: list, out: Inference) -> list[ClusterRoot]:
    """One root per (datacenter, partition) the anchors of one folder set."""
    keyed: dict[tuple[str | None, str], ClusterRoot] = {}
    for doc, dc, node, partition in anchors:
        key = (dc, partition)
        root = keyed.get(key)
        if root is None:
            root = keyed[key] = ClusterRoot(folder, "", partition, dc, doc, node)
        root.anchors.append(doc)
    # Values layered over one cluster: a file that sets no datacenter joins the one that does.
    named = {k: r for k, r in keyed.items() if k[0] is not None}
    for (dc, partition), root in list(keyed.items()):
        if dc is None and named:
            target = next((r for (d, p), r in named.items() if p == partition), next(iter(named.values())))
            target.anchors.extend(root.anchors)
            del keyed[(dc, partition)]
    roots = list(keyed.values())
    datacenters = sorted({r.datacenter for r in roots if r.datacenter})
    if len(datacenters) > 1:
        for root in roots:
            root.only = {os.path.abspath(d.path) for d in root.anchors}
    return roots


def _name(out: Inference, base: str) -> None:
    """Datacenter names where they tell roots apart; folder names (then paths) where not."""

    def rel(folder: str) -> str:
        return os.path.relpath(folder, base).replace(os.sep, "/")

    by_key: dict[tuple[str, str], list[ClusterRoot]] = {}
    for root in out.roots:
        by_key.setdefault((root.datacenter or "dc1", root.partition), []).append(root)
    doubts: list[tuple[ClusterRoot, str]] = []
    for (dc, _partition), roots in by_key.items():
        if len(roots) == 1 and roots[0].datacenter:
            roots[0].name = roots[0].datacenter
            continue
        for root in roots:
            root.name = _folder_name(root, base)
        if len(roots) > 1 and sum(not _own_servers(r) for r in roots) > 0:
            folders = " and ".join(sorted({rel(r.folder) for r in roots}))
            said = f"set datacenter {dc!r}" if roots[0].datacenter else "set no datacenter (so all are dc1)"
            doubts.extend((r, f"{folders} {said}: one datacenter, or clusters that share a name") for r in roots)
    named: dict[str, list[ClusterRoot]] = {}
    for root in out.roots:
        named.setdefault(root.name, []).append(root)
    for name, roots in named.items():
        # Partitions of one datacenter keep its name; anything else is told apart by path.
        if len(roots) > 1 and len({r.partition for r in roots}) < len(roots):
            for root in roots:
                root.name = rel(root.folder) if rel(root.folder) != "." else (root.datacenter or name)
                if root.only:
                    root.name = f"{root.name}/{root.datacenter}"
    for root in out.roots:
        if root.only:
            others = ", ".join(sorted({r.datacenter or "?" for r in out.roots if r.folder == root.folder}))
            doubts.append((root, f"{rel(root.folder)} holds the settings of several datacenters ({others})"))
    for root, why in doubts:
        out.doubts.setdefault(root.name, why)


def _own_servers(root: ClusterRoot) -> bool:
    """Whether the root installs its own Consul servers with Helm (``server.enabled``
    left on, no ``externalServers``): each such install is a datacenter of its own,
    whatever name it shares with another. Agent folders are not told apart this way
    (three servers of one datacenter are often three folders)."""
    for doc in root.anchors:
        if doc.category != HELM_VALUES:
            continue
        server = doc.root.get("server")
        external = doc.root.get("externalServers")
        enabled = server.get("enabled") if isinstance(server, Mapping) else None
        if enabled is not None and not truthy(enabled) and getattr(enabled, "value", None) != "-":
            continue
        if isinstance(external, Mapping) and truthy(external.get("enabled")):
            continue
        return True
    return False


def _folder_name(root: ClusterRoot, base: str) -> str:
    name = os.path.basename(root.folder) or DEFAULT_CLUSTER
    if root.folder == base and root.datacenter:
        return root.datacenter
    return name


def _assign(documents: list[Document], out: Inference, base: str) -> None:
    """Every file's cluster: its root's (the deepest folder holding it), else a root
    its path names, else the only root, else ``default``; the last three are guesses."""
    if not out.roots:
        return
    by_folder: dict[str, list[ClusterRoot]] = {}
    for root in out.roots:
        by_folder.setdefault(root.folder, []).append(root)
        for doc in root.anchors:
            out.assigned[os.path.abspath(doc.path)] = (root.name, root.partition)
    # only datacenters the files set: a folder name matching another folder's name
    # elsewhere (two test cases' primary/) says nothing
    names: dict[str, list[ClusterRoot]] = {}
    for r in out.roots:
        if r.datacenter:
            names.setdefault(r.datacenter, []).append(r)
    memo: dict[str, list[ClusterRoot] | None] = {}
    # Root folders that also hold other roots' folders (a repository of several projects
    # with one cluster's values at the top): their claim on files in other subfolders is
    # a guess.
    folders = sorted(by_folder)
    holding = {f for f in folders if any(g != f and g.startswith(f.rstrip(os.sep) + os.sep) for g in folders)}
    for doc in documents:
        absolute = os.path.abspath(doc.path)
        if absolute in out.assigned:
            continue
        roots = _nearest(os.path.dirname(absolute), by_folder, memo)
        if roots is not None and len({r.name for r in roots}) == 1:
            # one cluster (its partitions share a folder: config entries name their own)
            root = next((r for r in roots if r.partition == "default"), roots[0])
            out.assigned[absolute] = (root.name, root.partition)
            if root.folder in holding:
                below = os.path.relpath(os.path.dirname(absolute), root.folder).replace(os.sep, "/")
                if below != "." and below.split("/")[0].lower() not in CONTAINERS:
                    rel = os.path.relpath(absolute, base).replace(os.sep, "/")
                    why = f"{rel} is taken to be {root.name}'s, whose folder also holds other clusters' folders"
                    out.guess(absolute, why, "under a cluster folder that holds other clusters")
            continue
        start = roots[0].folder if roots else base
        words = _tokens(os.path.relpath(absolute, start).replace(os.sep, "/"))
        hits: dict[str, ClusterRoot] = {}
        for word, candidates in names.items():
            near = [r for r in candidates if roots is None or r in roots]
            if word in words and near:
                # partitions of one datacenter: its default partition, unless only one is here
                hits[near[0].name] = next((r for r in near if r.partition == "default"), near[0])
        rel = os.path.relpath(absolute, base).replace(os.sep, "/")
        if len(hits) != 1:
            # A file beside several clusters' settings, or naming several: a cluster it
            # names as a peer is not its own (no cluster peers with itself).
            pool = list(hits.values()) or (roots if roots is not None else [])
            peers = _peer_names(doc)
            left = {r.name: r for r in pool if r.datacenter and r.datacenter not in peers and r.name not in peers}
            if peers and len(left) == 1 and len(pool) > 1:
                root = next(iter(left.values()))
                why = f"{rel} is taken to be {root.name}'s because it peers with the others"
                out.guess(absolute, why, "assigned by the peers they name")
                out.assigned[absolute] = (root.name, root.partition)
                continue
        if len(hits) == 1:
            root = next(iter(hits.values()))
            why = f"{rel} is taken to be {root.name}'s because its path names it"
            out.guess(absolute, why, "assigned by the datacenter their path names")
        elif roots is None and len({r.name for r in out.roots}) == 1:
            root = out.roots[0]
            out.guess(absolute, f"{rel} is taken to be {root.name}'s, the only cluster found", "in the only cluster")
        else:
            out.assigned[absolute] = (DEFAULT_CLUSTER, "default")
            out.unknown.add(absolute)
            if roots is None:
                out.guess(absolute, f"no cluster folder holds {rel}", "in no cluster folder")
            else:
                why = f"{rel} is beside several datacenters' settings and names none of them"
                out.guess(absolute, why, "beside several datacenters' settings, naming none")
            continue
        out.assigned[absolute] = (root.name, root.partition)


_PEER_KEYS = frozenset({"peer", "peername", "destinationpeer"})


def _peer_names(doc: Document) -> set[str]:
    """The peer names a document uses (``Peer``, ``peer_name``, ``destination_peer``
    values; a PeeringAcceptor's or PeeringDialer's own name), lower-cased."""
    names: set[str] = set()
    if doc.kind in ("PeeringAcceptor", "PeeringDialer") and doc.name:
        names.add(doc.name.lower())
    for node in walk(doc.root):
        if isinstance(node, Mapping):
            for key, value in node.entries:
                folded = str(key.value).lower().replace("_", "")
                if folded in _PEER_KEYS and isinstance(getattr(value, "value", None), str):
                    names.add(value.value.lower())  # type: ignore[union-attr]
    return names


def _nearest(
    folder: str, by_folder: dict[str, list[ClusterRoot]], memo: dict[str, list[ClusterRoot] | None]
) -> list[ClusterRoot] | None:
    """The roots of the deepest root folder at or above ``folder``; memoised so
    assignment stays linear."""
    chain = []
    here = folder
    found: list[ClusterRoot] | None = None
    while True:
        if here in memo:
            found = memo[here]
            break
        if here in by_folder:
            found = by_folder[here]
            break
        chain.append(here)
        parent = os.path.dirname(here)
        if parent == here:
            break
        here = parent
    for item in chain:
        memo[item] = found
    return found
