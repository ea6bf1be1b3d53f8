"""Machine output with a documented, stable schema (docs/json-format.md).

Version 1: ``{"version": 1, "tool": {...}, "summary": {...}, "findings": [...]}``;
every finding has code, slug, severity, message, path, range (1-based lines and
columns, end exclusive), resource, node_path, fingerprint, related[] and fix.
Fields are only ever added in a version."""

from __future__ import annotations

import json

from linter.report import ReportInput
from linter.report.fingerprint import fingerprint
from linter.textsafe import to_utf8


def _range(span) -> dict:
    return {"start": {"line": span.line, "column": span.col}, "end": {"line": span.end_line, "column": span.end_col}}


def render(data: ReportInput) -> str:
    findings = []
    for f in data.findings:
        rule = data.rules.get(f.code)
        findings.append(
            {
                "code": f.code,
                "slug": rule.slug if rule else "internal-error",
                "severity": f.severity,
                "message": f.message,
                "path": to_utf8(f.path),
                "range": _range(f.span),
                "resource": f.resource,
                "node_path": f.node_path,
                "fingerprint": fingerprint(f),
                "related": [
                    {"path": to_utf8(r.path), "range": _range(r.span), "message": r.message} for r in f.related
                ],
                "fix": f.fix_text,
            }
        )
    counts = {s: sum(1 for f in data.findings if f.severity == s) for s in ("error", "warning", "note")}
    out = {
        "version": 1,
        "tool": {"name": "peerlint", "version": data.version},
        "summary": {"files": data.files_checked, "findings": len(findings), **counts},
        "findings": findings,
    }
    return json.dumps(out, indent=2) + "\n"
