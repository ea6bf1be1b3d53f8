"""Everything a run knows: configuration, files, documents, and (built on first use)
the topology graph. Rules read it; nothing in it changes once rules run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, TypeVar

from linter.config import Config
from linter.model.document import Document
from linter.nodes import Span

if TYPE_CHECKING:
    from linter.load.source import SourceText
    from linter.parse import Parsed

T = TypeVar("T")


@dataclass
class FileProblem:
    """A file that gave no documents: unreadable, binary, oversized or unparsable."""

    path: str
    message: str
    span: Span


@dataclass
class Project:
    config: Config
    documents: list[Document] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    #: files read and found not Consul's: (path, reason), listed under --verbose
    skipped: list[tuple[str, str]] = field(default_factory=list)
    #: The files findings are reported for (pre-commit passes a subset); None = all.
    focus: set[str] | None = None
    #: The document a rule was last handed (names the file in an internal error).
    last_document: Document | None = None
    #: What the layout said about clusters when the configuration names none
    #: (linter.model.roots.Inference); None with configured clusters.
    inference: Any = None
    _by_kind: dict[str, list[Document]] = field(default_factory=dict)
    #: consul provider .tf files (path, tree), read together in finish()
    _terraform: list[tuple[str, Any]] = field(default_factory=list)
    _graph: Any = None
    #: (an earlier topology, the clusters to read again): the graph is spliced from it
    #: (linter.graph.splice; set by the language server after an edit)
    _graph_base: Any = None
    _derived: dict[Callable[..., Any], Any] = field(default_factory=dict)

    @classmethod
    def from_files(
        cls, config: Config, files: Iterable[tuple[SourceText, Parsed | None]], focus: set[str] | None = None
    ) -> Project:
        """The one way a project is assembled (``check``, the editor server, in-memory
        texts): every loaded file in order (its text, its problem or its documents),
        then clusters and the kind index. ``focus``: the files findings are reported
        for (None: all)."""
        project = cls(config)
        for source, parsed in files:
            project.add_file(source, parsed)
        project.finish()
        project.focus = focus
        return project

    def add_file(self, source: SourceText, parsed: Parsed | None) -> None:
        """One read (or unreadable) file: its text, problem or documents."""
        from linter.model.classify import classify
        from linter.model.foreign import helm_template, own_output, unparsed_reason
        from linter.model.helmdocs import helm_named
        from linter.model.kustomize import is_patch

        self.files.append(source.path)
        if source.text is None or parsed is None:
            self.problems.append(
                FileProblem(source.path, source.problem or "cannot read", Span.point(source.line, source.col))
            )
            return
        if parsed.error is None and parsed.syntax == "json" and own_output(parsed.documents):
            # peerlint's own report or baseline (written by an earlier run or CI): it quotes
            # findings and rule docs (a sample peering token), never Consul configuration
            self.skipped.append((source.path, "peerlint's own report or baseline"))
            return
        self.texts[source.path] = source.text
        if parsed.syntax == "terraform":
            self._add_terraform(source, parsed)
            return
        if parsed.error is None and parsed.syntax == "json" and _terraform_output(parsed.documents):
            from linter.model.tfjson import read_terraform_json

            tf = read_terraform_json(parsed.documents[0], source.path, 0, source.text or "")
            if tf is None:
                self.skipped.append((source.path, "Terraform state or plan without consul provider resources"))
                return
            self.documents.extend(tf.documents)
            self.skipped.extend((source.path, why) for why in tf.skipped)
            return
        if parsed.error is not None:
            reason = unparsed_reason(parsed.syntax, source.text, lambda tree: any(classify(tree, "x.json", 0, "json")))
            if reason is not None:  # another language's file (HCL2, a Go template, JSON with comments)
                self.skipped.append((source.path, reason))
                return
            self.problems.append(FileProblem(source.path, parsed.error.message, parsed.error.span))
            return
        if helm_template(parsed.syntax, source.text):
            self.skipped.append((source.path, "a Helm chart template (Go template actions), not plain YAML"))
            return
        if parsed.syntax == "yaml" and is_patch(source.path):
            self.skipped.append((source.path, "a kustomize patch (a partial object merged into a base's)"))
            return
        named = parsed.syntax == "yaml" and helm_named(source.path, self.config)  # only YAML is Helm values
        for index, root in enumerate(parsed.documents):
            self.documents.extend(classify(root, source.path, index, parsed.syntax, named))

    def _add_terraform(self, source: SourceText, parsed: Parsed) -> None:
        """A ``.tf`` file: kept for :meth:`finish` when it uses the consul provider (a
        module's files are read together, linter.model.terraform); any other Terraform
        is passed over."""
        from linter.model.terraform import mentions_consul, uses_consul

        if parsed.error is not None:
            if mentions_consul(source.text or ""):
                self.problems.append(FileProblem(source.path, parsed.error.message, parsed.error.span))
            else:
                self.skipped.append((source.path, "Terraform that does not use the consul provider"))
            return
        root = parsed.documents[0] if parsed.documents else None
        if root is None or not uses_consul(root):  # type: ignore[arg-type]
            self.skipped.append((source.path, "Terraform that does not use the consul provider"))
            return
        self._terraform.append((source.path, root))

    def finish(self, cluster_cache: dict[str, tuple[str, str]] | None = None) -> None:
        """Once every file is in: clusters and partitions, then the kind index
        (``cluster_cache``: see :func:`linter.model.clusters.assign_clusters`)."""
        from linter.model.clusters import assign_clusters
        from linter.model.helmdocs import drop_lone_weak_helm

        if self._terraform:
            from linter.model.terraform import read_modules

            for tf in read_modules(self._terraform, self.texts):
                self.documents.extend(tf.documents)
                self.skipped.extend((tf.path, why) for why in tf.skipped)
            self._terraform = []
        self.documents = drop_lone_weak_helm(self.documents)
        if any("terraform" in doc.extra for doc in self.documents):
            from linter.model.tfclusters import (
                assign_terraform,
                helm_files_documents,
                releases_with_missing_files,
                terraform_placements,
            )

            unknown = releases_with_missing_files(self.documents, self.files)
            if unknown:  # their values are not known: no install is better than a wrong one
                dropped = {id(doc) for doc, _why in unknown}
                self.documents = [doc for doc in self.documents if id(doc) not in dropped]
                self.skipped.extend((doc.path, why) for doc, why in unknown)
            self.documents.extend(helm_files_documents(self.documents, self.files, self.config))
            placements = terraform_placements(self.documents, self.config)
            self.inference = assign_clusters(self.documents, self.config, frozenset(placements), cluster_cache)
            assign_terraform(self.documents, placements, self.inference)
        else:
            self.inference = assign_clusters(self.documents, self.config, cache=cluster_cache)
        self.index()

    def index(self) -> None:
        self._by_kind = {}
        for doc in self.documents:
            self._by_kind.setdefault(doc.kind, []).append(doc)
            if doc.kind != doc.category:
                self._by_kind.setdefault(doc.category, []).append(doc)

    def of(self, *kinds: str) -> Iterator[Document]:
        """Documents of these categories or kinds, in file order."""
        if len(kinds) == 1:
            for doc in self._by_kind.get(kinds[0], []):
                self.last_document = doc
                yield doc
            return
        wanted = [d for k in kinds for d in self._by_kind.get(k, [])]
        seen: set[int] = set()
        for doc in sorted(wanted, key=lambda d: (d.path, d.index, d.root.span.line)):
            if id(doc) not in seen:
                seen.add(id(doc))
                self.last_document = doc
                yield doc

    def derived(self, build: Callable[[Project], T]) -> T:
        """Something several rules read and the project determines (Helm installs, the
        ACL model, ...): ``build(self)`` on first use, then the same object for the run.

        Keyed by the builder itself, a module-level function or class, so two models
        cannot collide on a name and the result's type is the builder's return type."""
        if build not in self._derived:
            self._derived[build] = build(self)
        return self._derived[build]

    @property
    def edition(self) -> str:
        return self.config.edition

    def edition_of(self, cluster: str | Document) -> Any:
        """The edition ``cluster`` runs and how peerlint knows it
        (linter.model.edition.Edition), judged once per cluster and run. Given a
        document, its cluster's, but only *assumed* CE when the document's cluster is a
        guess (the files of another cluster say nothing about it)."""
        from linter.model.edition import edition_of, for_guessed

        if isinstance(cluster, Document):
            why = self.inference.guess_about(cluster.path) if self.inference is not None else None
            edition = self.edition_of(cluster.cluster)
            return for_guessed(edition, why) if why else edition
        editions = self.derived(_no_editions)
        if cluster not in editions:
            editions[cluster] = edition_of(self, cluster)
        return editions[cluster]

    @property
    def graph(self) -> Any:
        """The topology graph (linter.graph), built once, on first use, from this
        project's facts (the builder never sees the project: it would loop with it)."""
        if self._graph is None:
            from linter.graph.build import build_topology
            from linter.k8s.helm import install_for

            # the peering CRs through of(), as the builder once read them: of() also
            # leaves last_document (named by an internal error) where it always has
            acceptors, dialers = list(self.of("PeeringAcceptor")), list(self.of("PeeringDialer"))
            acceptors += self.of("consul_peering_token")  # Terraform's sides (linter.model.terraform)
            dialers += self.of("consul_peering")
            if self._graph_base is not None:
                from linter.graph.splice import rebuild

                (old, clusters), self._graph_base = self._graph_base, None  # the old graph can go
                installs = lambda cluster: install_for(self, cluster)
                self._graph = rebuild(old, self.documents, self.config, installs, acceptors, dialers, clusters)
                return self._graph
            self._graph = build_topology(
                self.documents,
                self.config,
                install_for=lambda cluster: install_for(self, cluster),
                acceptors=acceptors,
                dialers=dialers,
            )
        return self._graph


def _terraform_output(documents: list) -> bool:
    """Whether a parsed JSON file looks like ``terraform show -json`` output (cheap: the
    reader, linter.model.tfjson, is imported only then)."""
    from linter.nodes import Mapping

    return (
        len(documents) == 1
        and isinstance(documents[0], Mapping)
        and "format_version" in documents[0]
        and ("values" in documents[0] or "planned_values" in documents[0])
    )


def _no_editions(project: Project) -> dict[str, Any]:
    """Each cluster's edition, filled as clusters are asked about (Project.edition_of)."""
    return {}
