"""Helper tier: the decoder-shape checks (unknown key, wrong type, bad value, missing
field) that PL101-PL104 share, one schema walk per document for all four
(:mod:`linter.schemacheck` walks; this turns its issues into each rule's findings)."""

from __future__ import annotations

from typing import Any

from linter.constraints import Context
from linter.findings import Fix
from linter.schemacheck import issues, schema_name
from linter.textedits import scalar_edits

__all__ = ["shape_findings"]


def shape_findings(rule: Any, project: Any, kind: str):
    """The findings of one shape rule (``kind`` = unknown/type/value/missing, or
    conflict for PL106's constraint-layer part) over every document that has a schema."""
    edition_of = getattr(project, "edition_of", None)
    if kind == "unknown":
        from linter.k8s.chartkeys import helm_unknown

        yield from helm_unknown(rule, project)
    for doc in project.documents:
        if schema_name(doc) is None:
            continue
        if edition_of:
            known = edition_of(doc.cluster)
            context = Context(edition=known.edition, edition_assumed=bool(getattr(known, "assumed", False)))
        else:
            context = Context(edition=getattr(project, "edition", "ce"))
        for issue in issues(doc, context.edition, context):
            if issue.kind == kind:
                edits = (
                    scalar_edits(project.texts, doc, issue.node, issue.replacement)
                    if issue.replacement is not None
                    else ()
                )
                yield rule.report(doc.at(issue.node), issue.message, fix=Fix(issue.fix, edits) if issue.fix else None)
