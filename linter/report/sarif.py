"""SARIF 2.1.0 (validated against the official schema in the test suite)."""

from __future__ import annotations

import json
import re

from linter.api import doc_with_examples
from linter.report import ReportInput
from linter.report.fingerprint import fingerprint

LEVEL = {"error": "error", "warning": "warning", "note": "note"}
SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _region(span) -> dict:
    return {
        "startLine": span.line,
        "startColumn": span.col,
        "endLine": span.end_line,
        "endColumn": max(span.end_col, 1),
    }


def _location(path: str, span, message: str = "", ident: int | None = None) -> dict:
    loc: dict = {
        "physicalLocation": {"artifactLocation": {"uri": path, "uriBaseId": "%SRCROOT%"}, "region": _region(span)}
    }
    if ident is not None:
        loc["id"] = ident
    if message:
        loc["message"] = {"text": message}
    return loc


def _fixes(fix) -> list[dict]:
    """A finding's fix as SARIF ``fixes[]``: one ``artifactChange`` per file, each edit
    a replacement (an empty region inserts, empty content deletes); whether applying
    it changes behaviour goes in ``properties.safe``. Advice without edits has none."""
    if fix is None or not fix.edits:
        return []
    changes: dict[str, list[dict]] = {}
    for edit in fix.edits:
        changes.setdefault(edit.path, []).append(
            {"deletedRegion": _region(edit.span), "insertedContent": {"text": edit.new_text}}
        )
    return [
        {
            "description": {"text": fix.message},
            "artifactChanges": [
                {"artifactLocation": {"uri": path, "uriBaseId": "%SRCROOT%"}, "replacements": replacements}
                for path, replacements in changes.items()
            ],
            "properties": {"safe": fix.safe},
        }
    ]


def _first_paragraph(doc: str) -> str:
    match = re.search(r"## What it does\s*\n(.*?)(\n\n|\n##|$)", doc, re.S)
    return " ".join(match.group(1).split()) if match else ""


def render(data: ReportInput) -> str:
    codes = sorted(data.rules)
    index = {code: i for i, code in enumerate(codes)}
    rules = []
    for code in codes:
        rule = data.rules[code]
        rules.append(
            {
                "id": code,
                "name": rule.slug,
                "shortDescription": {"text": rule.summary},
                "fullDescription": {"text": _first_paragraph(rule.doc) or rule.summary},
                # the same text as `peerlint explain` and docs/rules.md: the examples are rendered from the tested files
                "help": {"text": rule.summary, "markdown": doc_with_examples(rule) or rule.summary},
                "helpUri": rule.help_uri(),
                "defaultConfiguration": {"level": LEVEL[rule.severity]},
                "properties": {
                    "tags": [rule.slug],
                    "suppressible": rule.suppressible,
                    "fix": getattr(rule, "fix", None) or "none",
                },
            }
        )
    results = []
    for f in data.findings:
        result = {
            "ruleId": f.code,
            "level": LEVEL.get(f.severity, "error"),
            "message": {"text": f.message + (f" Fix: {f.fix_text}" if f.fix_text else "")},
            "locations": [_location(f.path, f.span)],
            "partialFingerprints": {"peerlintIdentity/v1": fingerprint(f)},
        }
        if f.code in index:
            result["ruleIndex"] = index[f.code]
        fixes = _fixes(f.fix)
        if fixes:
            result["fixes"] = fixes
        if f.related:
            result["relatedLocations"] = [_location(r.path, r.span, r.message, i) for i, r in enumerate(f.related)]
        results.append(result)
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "peerlint",
                        "version": data.version,
                        "informationUri": "https://github.com/peerlint/peerlint",
                        "rules": rules,
                    }
                },
                "results": results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"
