"""The rule base class and the one way a rule reports: :meth:`Rule.report`.

A finding is made at a *place*: anything that says where it is. Rules should never have
to know which: a node in a document (``doc.at(node)``), a whole :class:`Document`, a
topology item (a :class:`~linter.graph.query.Peering`, an ``Export``: they carry their
document and node, or, for what ``peerlint.toml`` declares, its config line), or a bare
:class:`Location` (a file that could not be parsed). ``related`` takes the same places,
each with a note, so a cross-file finding names its other ends alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Iterable, Iterator, Union

from linter.findings import SEVERITIES, Finding, Fix, Location
from linter.model.document import Document
from linter.nodes import Span, format_path

if TYPE_CHECKING:
    from linter.api import Project

#: Where a rule's own page lives (docs/rules/<CODE>-<slug>.md, written by ``python -m
#: linter.docs``); ``{page}`` is :func:`rule_page`.
DOCS_URL = "https://github.com/peerlint/peerlint/blob/main/docs/rules/{page}"

#: Anything :meth:`Rule.report` can point at (see the module docstring).
Place = Any


class Unlocatable(ValueError):
    """A rule reported at something that says nowhere (a rule bug: it becomes PL000)."""


def locate(place: Place, note: str = "") -> tuple[Location, str | None]:
    """Where ``place`` is, and the resource it belongs to: a document's kind/name, or
    None for places outside documents (a config line, a file that holds none)."""
    if isinstance(place, Location):
        return Location(place.path, place.span, note or place.message, place.node_path), None
    doc, node = (
        (place, None) if isinstance(place, Document) else (getattr(place, "doc", None), getattr(place, "node", None))
    )
    if doc is not None:
        target = node if node is not None else doc.root
        return Location(doc.path, target.span, note, format_path(target.path)), doc.identity()
    path, span = getattr(place, "config_path", ""), getattr(place, "config_span", None)
    if path and span is not None:
        return Location(path, span, note, f"line {span.line}"), None
    raise Unlocatable(f"cannot locate {type(place).__name__}: it has neither a document nor a config line")


class Rule:
    """Base class of every rule. Subclasses set the metadata and ``check``."""

    code: ClassVar[str] = ""
    slug: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    severity: ClassVar[str] = "error"
    #: Document categories or config-entry/CRD kinds the rule reads, or "graph".
    reads: ClassVar[tuple[str, ...]] = ()
    suppressible: ClassVar[bool] = True
    #: How far a change reaches the rule's findings, for the incremental re-check
    #: (linter.rerun): "file" (a finding at a file depends only on
    #: that file's documents, text or problem, and the configuration), "cluster" (a
    #: finding at a file depends only on the documents of that file's cluster; what it
    #: asks the project about the cluster, its edition or Helm install, is the
    #: cluster's own), "peers" (a topology rule: a finding at a cluster's files comes
    #: from what that cluster and the clusters it peers with declare, found by going
    #: through the topology's listings (``upstreams()``, ``all_exports()``,
    #: ``peerings()``...) and asking it about any cluster; linter.graph.neighbours), or
    #: "project" (anything; it runs again whenever what it reads changed). Held by
    #: tests/test_rule_scopes.py: run on each file's (each cluster's) documents alone,
    #: or for "peers" over the items of a cluster's neighbourhood and on a project of
    #: that neighbourhood's files alone, the rule finds exactly what it finds there in
    #: a whole run.
    scope: ClassVar[str] = "project"
    #: Rules that share per-process work (PL101-PL104 share one schema walk of each
    #: document) name the same group; the engine runs a group in one process, or
    #: both processes would pay for the shared work.
    work_group: ClassVar[str | None] = None
    #: For rules about secrets and access control: a CVSS-like score (0.1-10.0) that
    #: GitHub code scanning shows as the alert's security severity, with a
    #: ``security`` tag. None for correctness rules.
    security_severity: ClassVar[float | None] = None
    #: Whether the rule's findings carry text edits users can apply (``check --fix``):
    #: "safe" (what the user plainly meant), "unsafe" (changes behaviour; applied only
    #: with ``--unsafe-fixes``), "sometimes" (some findings have a safe fix, when the
    #: repository says enough), or None (advice only).
    fix: ClassVar[str | None] = None
    #: Markdown: "What it does", "Why is this bad?" and "References" sections; the
    #: "Example" / "Use instead" sections are rendered from ``example``
    #: (:func:`linter.api.ruledocs.doc_with_examples`).
    doc: ClassVar[str] = ""
    #: The doc example as files: {"bad": {name: text}, "good": {name: text}}.
    #: The test suite lints both: "bad" must fire this rule, "good" must not.
    example: ClassVar[dict[str, dict[str, str]]] = {}

    @classmethod
    def help_uri(cls) -> str:
        """The rule's own documentation page (SARIF ``helpUri``, GitLab, the language
        server's ``codeDescription``), so a code leads straight to what it means."""
        return DOCS_URL.format(page=rule_page(cls))

    def check(self, project: Project) -> Iterator[Finding]:  # pragma: no cover
        raise NotImplementedError
        yield

    def report(
        self,
        at: Place,
        message: str,
        *,
        related: Iterable[tuple[Place, str]] = (),
        fix: Union[Fix, str, None] = None,
        severity: str | None = None,
        node_path: str = "",
    ) -> Finding:
        """A finding of this rule at ``at``; ``related`` are ``(place, note)`` pairs in
        any file that explain it; ``fix`` is a :class:`Fix` (or its advice alone).
        ``node_path`` names a place that has no node (a config line) stably, since its
        line number is not part of what the finding is."""
        where, resource = locate(at)
        if resource is None:  # outside documents: the file is the resource
            resource, node_path = where.path, node_path or where.node_path
        else:
            node_path = where.node_path
        if isinstance(fix, str):
            fix = Fix(fix) if fix else None
        return Finding(
            code=self.code,
            severity=severity or self.severity,
            message=message,
            path=where.path,
            span=where.span,
            resource=resource,
            node_path=node_path,
            related=[_related(place, note) for place, note in related],
            fix=fix,
            suppressible=self.suppressible,
        )


def rule_page(rule: type[Rule]) -> str:
    """The file name of a rule's page in docs/rules/: ``PL301-missing-mesh-gateway.md``."""
    return f"{rule.code}-{rule.slug}.md"


def _related(place: Place, note: str) -> Location:
    """A related location: where, and why; outside documents without a node path (a
    config line's number is not an identity)."""
    where, resource = locate(place, note)
    return where if resource is not None else Location(where.path, where.span, note)


def file_location(path: str, span: Span) -> Location:
    """A place in a file that holds no document (it could not be read or parsed)."""
    return Location(path, span)


def validate_rule(rule: type[Rule]) -> list[str]:
    """Problems with a rule class's metadata (a plugin author's mistakes)."""
    problems = []
    if not rule.code or not rule.code[:2].isalpha():
        problems.append("code must look like PL123 (letters, then digits)")
    if not rule.slug:
        problems.append("slug is required")
    if rule.severity not in SEVERITIES:
        problems.append(f"severity must be one of {', '.join(SEVERITIES)}")
    if not rule.summary:
        problems.append("summary is required")
    return problems
