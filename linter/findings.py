"""What a run produces: findings, the places they point at, and fixes as text edits.

Plain data, below every stage that makes or reads findings (rules, the engine,
suppressions, baselines, reporters, the language server), so none of them has to import
the rule API to hold one. Rules make findings only through :meth:`linter.api.Rule.report`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from linter.nodes import Span

SEVERITIES = ("error", "warning", "note")
SEVERITY_RANK = {"note": 0, "warning": 1, "error": 2}


@dataclass(frozen=True)
class Location:
    """A place in a file, with an optional note on why it is related."""

    path: str
    span: Span
    message: str = ""
    node_path: str = ""


@dataclass(frozen=True)
class Edit:
    """Replace ``span`` (1-based, end exclusive, as every span) of the file at ``path``
    with ``new_text``; an empty span inserts, an empty ``new_text`` deletes.

    ``create``: the file does not exist and ``new_text`` is its whole content (``span``
    is 1:1-1:1). Such an edit applies only where no file is (never overwriting one):
    an intentions entry the destination does not have yet (PL401)."""

    path: str
    span: Span
    new_text: str
    create: bool = False


@dataclass(frozen=True)
class Fix:
    """How to resolve a finding: ``message`` says it in the syntax of the file it
    concerns; ``edits`` (possibly in several files) do it, when the rule knows them
    exactly. ``safe`` fixes do what the user plainly meant (a misspelt key); unsafe ones
    change behaviour (adding an intention source changes what traffic is allowed) and
    are applied only when asked."""

    message: str
    edits: tuple[Edit, ...] = ()
    safe: bool = True

    @property
    def applicable(self) -> bool:
        return bool(self.edits)


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
    fix: Fix | None = None
    suppressible: bool = True

    @property
    def identity(self) -> tuple[str, str, str, str]:
        return (self.code, self.path, self.resource, self.node_path)

    @property
    def fix_text(self) -> str:
        """The fix's advice, or "" (what every report format prints)."""
        return self.fix.message if self.fix is not None else ""

    def sort_key(self) -> tuple:
        return (self.path, self.span.line, self.span.col, self.code, self.message)


def sorted_findings(findings: Sequence[Finding]) -> list[Finding]:
    return sorted(findings, key=Finding.sort_key)
