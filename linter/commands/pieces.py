"""The language server's project, assembled again after an edit from what each file
gave last time: only the changed files are classified again.

A file's *piece* is what :meth:`linter.project.Project.add_file` makes of it (its
documents, or its problem, or why it was skipped, and its text), a pure function of
its text, its parse result and the configuration; the project is the pieces in file
order, then :meth:`~linter.project.Project.finish` (clusters, kind index), so an
assembled project is the one :meth:`~linter.project.Project.from_files` builds.

A changed file whose documents come out identical (the same trees at the same
positions: a comment or a blank line at its end edited) keeps its earlier
:class:`~linter.model.document.Document` objects, so the document list, and with it
the topology graph, is the earlier one (linter.rerun).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from linter.config import Config
from linter.load.source import SourceText
from linter.parse import Parsed
from linter.project import Project


@dataclass
class Piece:
    path: str
    text: str | None
    parsed: Any  # the parse result it was made from (identity: unchanged files keep theirs)
    documents: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    has_text: bool = False
    #: Terraform modules (read together, by Project.finish: their documents are made
    #: anew on every assembly)
    terraform: list = field(default_factory=list)
    _shape: Any = None

    def shape(self) -> Any:
        """What decides the documents besides the path and configuration: the parse
        result as bytes (linter.load.codec), and how the file was taken."""
        if self._shape is None:
            from linter.load.codec import encode

            blob = encode(self.parsed) if isinstance(self.parsed, Parsed) else None
            docs = [(d.index, d.category, d.kind, d.parent is not None) for d in self.documents]
            self._shape = (blob, docs, self.skipped, [(p.message, p.span) for p in self.problems], bool(self.terraform))
        return self._shape


def piece_of(config: Config, source: SourceText, parsed: Parsed | None) -> Piece:
    scratch = Project(config)
    scratch.add_file(source, parsed)
    return Piece(
        source.path,
        source.text,
        parsed,
        scratch.documents,
        scratch.problems,
        scratch.skipped,
        source.path in scratch.texts,
        list(scratch._terraform),
    )


@dataclass
class Assembler:
    """Each file's piece from the last assembly, and the configured clusters' paths."""

    config: Config
    pieces: dict[str, Piece] = field(default_factory=dict)
    clusters: dict[str, tuple[str, str]] = field(default_factory=dict)
    last: Project | None = None

    def assemble(self, files: list[tuple[SourceText, Parsed | None]]) -> tuple[Project, set[str], set[str]]:
        """The project of ``files`` (in order), the display paths that changed since
        the last assembly, and those of them whose documents are identical."""
        pieces: dict[str, Piece] = {}
        changed: set[str] = set()
        same: set[str] = set()
        for source, parsed in files:
            old = self.pieces.get(source.path)
            if old is not None and old.parsed is parsed and old.text == source.text:
                pieces[source.path] = old
                continue
            changed.add(source.path)
            new = piece_of(self.config, source, parsed)
            if old is not None and not new.terraform and old.shape() == new.shape():
                new.documents = old.documents  # identical: the same objects (and graph)
                same.add(source.path)
            pieces[source.path] = new
        changed.update(path for path in self.pieces if path not in pieces)  # deleted
        project = Project(self.config)
        for piece in pieces.values():
            project.files.append(piece.path)
            project.problems.extend(piece.problems)
            project.skipped.extend(piece.skipped)
            if piece.has_text:
                project.texts[piece.path] = piece.text  # type: ignore[assignment]
            project.documents.extend(piece.documents)
            project._terraform.extend(piece.terraform)
        terraform = bool(project._terraform)
        project.finish(self.clusters)
        last = self.last
        if last is not None and last._graph is not None and not terraform:  # (Terraform: made anew, built whole)
            if len(last.documents) == len(project.documents) and all(
                a is b for a, b in zip(last.documents, project.documents)
            ):
                project._graph = last._graph  # the same documents: the same topology
            else:
                project._graph_base = self._splice_base(last, changed, pieces)
        self.pieces, self.last = pieces, project
        return project, changed, same

    def _splice_base(self, last: Project, changed: set[str], pieces: dict[str, Piece]) -> Any:
        """(the last topology, the clusters the changed files' documents were or are
        in), for linter.graph.splice; None when a change may move cluster roots or the
        annotation grammar (Helm values, agent configuration): the graph is built whole."""
        from linter.model.document import AGENT_CONFIG, HELM_VALUES

        docs = [
            d for path in changed for table in (self.pieces, pieces) if path in table for d in table[path].documents
        ]
        if any(d.category in (HELM_VALUES, AGENT_CONFIG) for d in docs):
            return None
        return last._graph, {d.cluster for d in docs}
