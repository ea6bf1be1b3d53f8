"""The incremental re-check (the language server after an edit, ``peerlint check``
with a warm cache after files changed): after some files change, which rules' earlier findings
are still right, which run again on part of the project, and which run again whole.

A rule's findings depend only on what it reads (its ``reads``, enforced by
tests/test_rule_contracts.py: kinds, categories, ``documents``, ``graph``, ``files``,
``texts``) and the configuration. So:

- **Untouched rules** keep their findings: when the changed files' documents (before and
  after the change) are of kinds K, a rule that reads none of K, their categories, the
  whole document list, the graph, the files or the texts finds what it found before.
  A file whose documents came out *identical* (same trees, same positions: a comment or
  blank line edited) touches only the texts: the document list and the graph are the
  same.
- **Scoped rules** (``Rule.scope``, held by tests/test_rule_scopes.py) that are touched
  run again only on the changed files (``"file"``) or on every file of the clusters the
  changed files belonged to or now belong to (``"cluster"``), through a
  :class:`ScopedView` of the project; their earlier findings at other files are kept.
- **Everything else** touched runs again on the whole project.

A change to a Helm values file or an agent configuration whose documents changed may
move cluster roots (every document's cluster): then everything runs again, as it does
after a configuration change, for a rule that declares no reads, or one that failed.

Speed code, fenced off here: tests/test_incremental.py compares every incremental
result with a full lint of the same state, on generated fleets with random files
changed, for the editor and for ``peerlint check``.

``peerlint check`` keeps a :class:`Last` per set of options in the cache folder
(:class:`RerunStore`, signed like the results cache, findings as plain data): each
file's content key, kinds and clusters, and each rule's own findings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

from linter.model.document import AGENT_CONFIG, HELM_VALUES

#: Reads every change touches (the texts changed; the files' problems may have).
ALWAYS = frozenset({"texts", "files", "suppressions"})
#: Reads a change to a file's documents touches besides their kinds.
DOCUMENTS = frozenset({"documents", "graph"})
#: Documents that decide clusters (linter.model.clusters): a change re-runs everything.
CLUSTER_DECIDING = frozenset({HELM_VALUES, AGENT_CONFIG})
SCOPES = ("file", "cluster", "peers", "project")


def kinds_by_path(documents) -> dict[str, frozenset[str]]:
    """Each file's document kinds and categories (what a change to it touches)."""
    out: dict[str, set[str]] = {}
    for doc in documents:
        out.setdefault(doc.path, set()).update((doc.kind, doc.category))
    return {path: frozenset(kinds) for path, kinds in out.items()}


def clusters_by_path(documents) -> dict[str, frozenset[str]]:
    """Each file's documents' clusters (whose files a cluster-scoped rule re-reads)."""
    out: dict[str, set[str]] = {}
    for doc in documents:
        out.setdefault(doc.path, set()).add(doc.cluster)
    return {path: frozenset(names) for path, names in out.items()}


def touched(
    changed: Iterable[str],
    before: dict[str, frozenset[str]],
    after: dict[str, frozenset[str]],
    same: Iterable[str] = (),
) -> set[str] | None:
    """What changing the files ``changed`` (display paths) touches; None: everything.
    ``same``: changed files whose documents came out identical (only their text moved)."""
    out = set(ALWAYS)
    unchanged = set(same)
    for path in changed:
        if path in unchanged:
            continue
        kinds = before.get(path, frozenset()) | after.get(path, frozenset())
        if kinds & CLUSTER_DECIDING:
            return None
        if kinds:
            out |= kinds | DOCUMENTS
    return out


def reusable(rules: dict[str, Any], last: dict[str, tuple[list, bool]], reads_touched: set[str] | None) -> dict:
    """The earlier findings (by code) of the rules that read nothing touched."""
    if reads_touched is None:
        return {}
    out = {}
    for code, (findings, failed) in last.items():
        reads = set(getattr(rules.get(code), "reads", ()) or ())
        if reads and not failed and not reads & reads_touched:
            out[code] = (findings, failed)
    return out


class ScopedView:
    """The project as a scoped rule sees it when only the files ``paths`` are checked
    again: their documents, problems and files; everything else (texts, the
    configuration, what the project answers about a cluster: edition, Helm install,
    ``derived`` models) is the whole project's. With ``clusters`` (a "peers" rule):
    their documents, and the topology's listings of everything cut down to those
    clusters (linter.graph.neighbours); the files and problems are the project's."""

    def __init__(self, project: Any, paths: set[str], clusters: set[str] | None = None) -> None:
        self._project = project
        self.paths = paths
        self.documents = [doc for doc in project.documents if doc.path in paths]
        if clusters is None:
            self.problems = [p for p in project.problems if p.path in paths]
            self.files = [f for f in project.files if f in paths]
        else:  # a "peers" rule's view: its documents and the topology's listings cut down;
            # the project's files and problems are what they are (a rule asks about them)
            from linter.graph.neighbours import ScopedTopology

            self.problems, self.files = project.problems, project.files
            self.graph = ScopedTopology(project.graph, clusters)
        self.last_document = None
        self._by_kind: dict[str, list] = {}  # as Project.index builds it, for these documents only
        for doc in self.documents:
            self._by_kind.setdefault(doc.kind, []).append(doc)
            if doc.kind != doc.category:
                self._by_kind.setdefault(doc.category, []).append(doc)

    def of(self, *kinds: str) -> Iterator[Any]:
        """As :meth:`linter.project.Project.of`, over these documents."""
        if len(kinds) == 1:
            wanted = self._by_kind.get(kinds[0], [])
        else:
            found = [d for k in kinds for d in self._by_kind.get(k, [])]
            wanted = list({id(d): d for d in sorted(found, key=lambda d: (d.path, d.index, d.root.span.line))}.values())
        for doc in wanted:
            self.last_document = doc
            yield doc

    def __getattr__(self, name: str) -> Any:
        return getattr(self._project, name)


@dataclass
class Last:
    """What one lint leaves for the next: each file's kinds and clusters, and each
    rule's own findings (before suppressions) and whether it failed; for ``peerlint
    check``, each file's content key (:func:`content_keys`)."""

    kinds: dict[str, frozenset[str]] = field(default_factory=dict)
    clusters: dict[str, frozenset[str]] = field(default_factory=dict)
    findings: dict[str, tuple[list, bool]] = field(default_factory=dict)
    contents: dict[str, bytes] = field(default_factory=dict)
    #: which clusters peer (linter.graph.neighbours.adjacency), when the run built the
    #: topology: what a "peers" rule's re-check reaches from the changed clusters
    peers: dict[str, frozenset[str]] | None = None
    #: the files that could not be read or parsed (a "peers" rule may ask whether any
    #: file of the project has a problem: PL401 creates no entry then)
    problems: frozenset[str] = frozenset()

    def record_graph(self, project: Any) -> None:
        """After the rules ran: the peerings of the topology they read, if built."""
        if getattr(project, "_graph", None) is not None:
            from linter.graph.neighbours import adjacency

            self.peers = adjacency(project._graph)

    @classmethod
    def of(cls, project: Any, findings: dict[str, tuple[list, bool]] | None = None) -> Last:
        """The kinds and clusters of ``project``'s files (one pass over its documents)."""
        kinds: dict[str, set[str]] = {}
        clusters: dict[str, set[str]] = {}
        for doc in project.documents:
            if doc.path not in kinds:
                kinds[doc.path], clusters[doc.path] = set(), set()
            kinds[doc.path].update((doc.kind, doc.category))
            clusters[doc.path].add(doc.cluster)
        return cls(
            {p: frozenset(k) for p, k in kinds.items()},
            {p: frozenset(c) for p, c in clusters.items()},
            findings if findings is not None else {},
            problems=frozenset(p.path for p in project.problems),
        )


def scoped_paths(scope: str, changed: set[str], last: Last, clusters_now: dict[str, frozenset[str]]) -> set[str]:
    """The files a rule of ``scope`` checks again after ``changed`` changed."""
    if scope == "file":
        return set(changed)
    return set(changed) | files_of(changed_clusters(changed, last, clusters_now), last, clusters_now)


def changed_clusters(changed: set[str], last: Last, clusters_now: dict[str, frozenset[str]]) -> set[str]:
    """The clusters the changed files' documents were or are in."""
    names: set[str] = set()
    for path in changed:
        names |= last.clusters.get(path, frozenset()) | clusters_now.get(path, frozenset())
    return names


def files_of(names: set[str], last: Last, clusters_now: dict[str, frozenset[str]]) -> set[str]:
    """The files with a document in one of the clusters ``names``, before or now."""
    out: set[str] = set()
    for table in (last.clusters, clusters_now):
        out.update(path for path, where in table.items() if where & names)
    return out


def peers_reach(project: Any, changed: set[str], last: Last, now: Last) -> tuple[set[str], set[str], set[str]] | None:
    """For the "peers" rules after ``changed`` changed: (the files whose findings may
    have changed, the files whose items the rules read again, the clusters of those);
    None when the earlier run left no topology to tell the peerings by."""
    from linter.graph.neighbours import REACH, adjacency, near

    if last.peers is None:
        return None
    for path in changed:
        if not last.clusters.get(path) and not now.clusters.get(path):
            return None  # a file of no cluster (an empty file where a fix would create one)
        if path in last.problems or path in now.problems:
            return None  # whether any file has a problem changed
    if now.peers is None:
        now.peers = adjacency(project.graph)
    tables = (last.peers, now.peers)
    reached = near(changed_clusters(changed, last, now.clusters), tables, REACH)
    read = near(reached, tables, REACH)
    return set(changed) | files_of(reached, last, now.clusters), set(changed) | files_of(read, last, now.clusters), read


def plan(
    project: Any,
    rules: dict[str, Any],
    last: Last,
    now: Last,
    changed: set[str],
    same: Iterable[str] = (),
    codes: Iterable[str] | None = None,
    *,
    run_rule: Callable[[Any, str, Any], tuple[list, bool]],
) -> dict[str, tuple[list, bool]]:
    """The findings (by code) a re-check keeps or re-derives without running the rule
    on the whole project (the engine's ``reuse``), from the :class:`Last` of the
    earlier state and of ``project`` (``now``). ``codes``: the rules the run selects;
    ``run_rule``: the engine's (passed in: the engine imports this module)."""
    reads_touched = touched(changed, last.kinds, now.kinds, same)
    if reads_touched is None:
        return {}
    out = reusable(rules, last.findings, reads_touched)
    wanted = set(codes) if codes is not None else set(rules)
    views: dict[str, ScopedView] = {}
    redo: dict[str, set[str]] = {}  # scope -> the files whose findings are found again
    for code, (findings, failed) in last.findings.items():
        rule = rules.get(code)
        scope = getattr(rule, "scope", "project")
        if code in out or code not in wanted or failed or scope not in ("file", "cluster", "peers") or not rule.reads:
            continue
        if scope not in views:
            if scope == "peers":
                reach = peers_reach(project, changed, last, now)
                if reach is None:
                    continue  # no earlier topology: the rule runs whole
                redo[scope], paths, clusters = reach
                views[scope] = ScopedView(project, paths, clusters)
            else:
                views[scope] = ScopedView(project, scoped_paths(scope, changed, last, now.clusters))
                redo[scope] = views[scope].paths
        view = views[scope]
        again, broke = run_rule(view, code, rule)  # type: ignore[arg-type]
        if broke:
            continue  # a failing rule runs again on the whole project (its PL000 names a document)
        kept = [f for f in findings if f.path not in redo[scope]]
        out[code] = (kept + [f for f in again if f.path in redo[scope]], False)
    return out


def start_check(
    project: Any, rules: dict[str, Any], ran: list[str], store: RerunStore, contents: dict[str, bytes], run_rule
) -> tuple[dict[str, tuple[list, bool]] | None, Last]:
    """``peerlint check``'s side: (the findings of rules that need not run on the whole
    project again, None for a whole run; the new state, its findings filled by the run)."""
    now = Last.of(project)
    now.contents = contents
    last = store.load()
    if last is None:
        return None, now
    changed = changed_files(last, contents)
    if len(changed) > max(1, len(contents) // 4):
        return None, now  # most of the project changed: a whole run costs no more
    return plan(project, rules, last, now, changed, codes=ran, run_rule=run_rule), now


def store_for(folder: str, options_key: str, sources: list) -> tuple[RerunStore, dict[str, bytes]]:
    return RerunStore(folder, options_key), content_keys(sources)


def content_keys(sources: list) -> dict[str, bytes]:
    """Each file's content (SourceText) as a key: the parse cache's hash of its text
    when the load made one, else a hash of the text, or why it could not be read."""
    from linter.resultscache import blake2b

    out = {}
    for source in sources:
        if source.text is not None and source.key is not None:
            out[source.path] = b"K" + source.key
        elif source.text is not None:
            out[source.path] = b"T" + blake2b(source.text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        else:
            out[source.path] = f"P{source.problem}\0{source.line}:{source.col}".encode("utf-8", "surrogatepass")
    return out


def changed_files(last: Last, contents: dict[str, bytes]) -> set[str]:
    """The files whose content differs from ``last``'s, and those added or removed."""
    out = {path for path, key in contents.items() if last.contents.get(path) != key}
    out.update(path for path in last.contents if path not in contents)
    return out


MAGIC = b"peerlint-rerun-state\n"
_VERSION = 2


class RerunStore:
    """The :class:`Last` of ``peerlint check``'s latest full or incremental run with
    these options (one file per options key, beside the results cache's)."""

    def __init__(self, folder: str, options_key: str) -> None:
        import os

        from linter import __version__
        from linter.load.cache import mac_key

        self.path = os.path.join(folder, __version__, f"rerun-{options_key}.bin")
        self.mac_key = mac_key()

    def load(self) -> Last | None:
        import marshal

        from linter.cachecodec import decode_results
        from linter.load.cache import read_signed

        body = read_signed(self.path, MAGIC, self.mac_key)
        if body is None:
            return None
        try:  # marshal of plain values: data, never code (issue #21)
            version, contents, kinds, clusters, findings, peers, problems = marshal.loads(body)
            if version != _VERSION:
                return None
            last = Last(
                {str(p): frozenset(str(k) for k in v) for p, v in kinds.items()},
                {str(p): frozenset(str(c) for c in v) for p, v in clusters.items()},
                {},
                {str(p): bytes(k) for p, k in contents.items()},
                None if peers is None else {str(c): frozenset(str(n) for n in v) for c, v in peers.items()},
                frozenset(str(p) for p in problems),
            )
            for code, blob in findings.items():
                decoded = decode_results(blob)
                if decoded is None:
                    return None
                last.findings[str(code)] = (decoded[1], decoded[2])
        except (ValueError, TypeError, EOFError, AttributeError):
            return None
        return last

    def save(self, last: Last) -> None:
        import marshal

        from linter.cachecodec import encode_results
        from linter.load.cache import write_signed

        if self.mac_key is None or any(failed for _f, failed in last.findings.values()):
            return  # a failing rule is not a result to build on
        try:
            body = marshal.dumps(
                (
                    _VERSION,
                    last.contents,
                    {p: tuple(sorted(k)) for p, k in last.kinds.items()},
                    {p: tuple(sorted(c)) for p, c in last.clusters.items()},
                    {code: encode_results(b"", found, failed) for code, (found, failed) in last.findings.items()},
                    None if last.peers is None else {c: tuple(sorted(v)) for c, v in last.peers.items()},
                    tuple(sorted(last.problems)),
                )
            )
        except (ValueError, TypeError):
            return
        write_signed(self.path, MAGIC, self.mac_key, body)
