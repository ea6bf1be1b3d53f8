"""What a rule sees and produces. Third-party rules use exactly this module.

A rule is a subclass of :class:`Rule` with its metadata as class attributes and a
``check(project)`` generator. It reports against model nodes with
:meth:`Rule.finding`; the node's span becomes the finding's exact range, and its path
(``Services[0].Consumers[1].Peer``) becomes part of the finding's stable identity.

Rules are found through the ``peerlint.rules`` entry-point group; an entry point may
name a module or package (every Rule subclass in it is loaded) or a Rule class.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Iterable, Iterator, Optional, Sequence

from linter.nodes import Node, Span, format_path

if TYPE_CHECKING:
    from linter.model.document import Document
    from linter.project import Project

SEVERITIES = ("error", "warning", "note")
SEVERITY_RANK = {"note": 0, "warning": 1, "error": 2}
DOCS_URL = "https://github.com/peerlint/peerlint/blob/main/docs/rules.md#{anchor}"


@dataclass(frozen=True)
class Location:
    """A place in a file, with an optional note on why it is related."""

    path: str
    span: Span
    message: str = ""
    node_path: str = ""


@dataclass
class Finding:
    """One problem. ``path``/``span`` are where it is; ``identity`` is what it is
    (rule, file, resource, attribute path) independent of line numbers."""

    code: str
    severity: str
    message: str
    path: str
    span: Span
    resource: str = ""
    node_path: str = ""
    related: list[Location] = field(default_factory=list)
    fix: str = ""
    suppressible: bool = True

    @property
    def identity(self) -> tuple[str, str, str, str]:
        return (self.code, self.path, self.resource, self.node_path)

    def sort_key(self) -> tuple:
        return (self.path, self.span.line, self.span.col, self.code, self.message)


def _anchor(code: str, slug: str) -> str:
    return f"{code.lower()}-{slug}"


class Rule:
    """Base class of every rule. Subclasses set the metadata and ``check``."""

    code: ClassVar[str] = ""
    slug: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    severity: ClassVar[str] = "error"
    #: Document categories or config-entry/CRD kinds the rule reads, or "graph".
    reads: ClassVar[tuple[str, ...]] = ()
    suppressible: ClassVar[bool] = True
    #: Markdown: "What it does", "Why is this bad?", "Example", "Use instead",
    #: "References" sections. ``peerlint explain``, docs/rules.md and SARIF use it.
    doc: ClassVar[str] = ""
    #: The doc example as files: {"bad": {name: text}, "good": {name: text}}.
    #: The test suite lints both: "bad" must fire this rule, "good" must not.
    example: ClassVar[dict[str, dict[str, str]]] = {}

    @classmethod
    def help_uri(cls) -> str:
        return DOCS_URL.format(anchor=_anchor(cls.code, cls.slug))

    def check(self, project: "Project") -> Iterator[Finding]:  # pragma: no cover
        raise NotImplementedError
        yield

    def finding(
        self,
        doc: "Document",
        node: Optional[Node],
        message: str,
        related: Iterable[tuple["Document", Optional[Node], str]] = (),
        fix: str = "",
        severity: Optional[str] = None,
    ) -> Finding:
        """A finding at ``node`` (a key or value) in ``doc``; ``related`` are other
        places, in any file, that explain it."""
        target = node if node is not None else doc.root
        return Finding(
            code=self.code,
            severity=severity or self.severity,
            message=message,
            path=doc.path,
            span=target.span,
            resource=doc.identity(),
            node_path=format_path(target.path),
            related=[
                Location(d.path, (n if n is not None else d.root).span, note, format_path((n if n is not None else d.root).path))
                for d, n, note in related
            ],
            fix=fix,
            suppressible=self.suppressible,
        )

    def file_finding(self, path: str, span: Span, message: str, fix: str = "", node_path: str = "") -> Finding:
        """A finding about a file rather than a document (unreadable, unparsable)."""
        return Finding(self.code, self.severity, message, path, span, resource=path, node_path=node_path, fix=fix, suppressible=self.suppressible)


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


def sorted_findings(findings: Sequence[Finding]) -> list[Finding]:
    return sorted(findings, key=Finding.sort_key)
