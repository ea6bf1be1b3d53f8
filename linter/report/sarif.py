"""SARIF 2.1.0 (validated against the official schema in the test suite).

Shaped for GitHub code scanning, where most SARIF is read:

- A result's message links its related locations (``[note](id)``, SARIF §3.11.6):
  GitHub shows the other end of a cross-file finding only when the message links it.
- Paths are relative to the repository root (``GITHUB_WORKSPACE``, ``CI_PROJECT_DIR``,
  else the project root: :func:`linter.report.repository_root`) under the
  ``%SRCROOT%`` base, which ``originalUriBaseIds`` anchors, so alerts land on the file
  even when peerlint ran in a subfolder.
- Rules about secrets and access control carry a ``security-severity`` and a
  ``security`` tag (GitHub's severity levels and security filter read them).
"""

from __future__ import annotations

import json
import re

from linter.api import doc_with_examples
from linter.report import ReportInput, repository_path
from linter.report.fingerprint import fingerprint
from linter.textsafe import to_utf8

LEVEL = {"error": "error", "warning": "warning", "note": "note"}
SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _region(span) -> dict:
    return {
        "startLine": span.line,
        "startColumn": span.col,
        "endLine": span.end_line,
        "endColumn": max(span.end_col, 1),
    }


def _location(path: str, span, root: str, message: str = "", ident: int | None = None) -> dict:
    loc: dict = {
        "physicalLocation": {
            "artifactLocation": {"uri": to_utf8(repository_path(path, root)), "uriBaseId": "%SRCROOT%"},
            "region": _region(span),
        }
    }
    if ident is not None:
        loc["id"] = ident
    if message:
        loc["message"] = {"text": message}
    return loc


def _plain(text: str) -> str:
    """Message text with literal brackets escaped: SARIF reads ``[text](target)`` in a
    plain-text message as a link (§3.11.6), so a finding about ``Sources[0]`` must not
    make one."""
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def _message(f) -> str:
    """The finding's message and fix, then a link to each related location (by its id)."""
    text = _plain(f.message + (f" Fix: {f.fix_text}" if f.fix_text else ""))
    if f.related:
        links = [f"[{_plain(r.message or 'related')}]({i})" for i, r in enumerate(f.related)]
        text += " Related: " + "; ".join(links) + "."
    return text


def _fixes(fix, root: str) -> list[dict]:
    """A finding's fix as SARIF ``fixes[]``: one ``artifactChange`` per file, each edit
    a replacement (an empty region inserts, empty content deletes); whether applying
    it changes behaviour goes in ``properties.safe``. Advice without edits has none.
    A file the fix creates (SARIF has no word for it) is one insertion at the start of
    an empty artifact, marked ``properties.newFile`` so a consumer does not look for it
    (and never writes it over an existing file)."""
    if fix is None or not fix.edits:
        return []
    changes: dict[str, list[dict]] = {}
    created = {edit.path for edit in fix.edits if edit.create}
    for edit in fix.edits:
        changes.setdefault(edit.path, []).append(
            {"deletedRegion": _region(edit.span), "insertedContent": {"text": edit.new_text}}
        )
    return [
        {
            "description": {"text": fix.message},
            "artifactChanges": [
                {
                    "artifactLocation": {"uri": to_utf8(repository_path(path, root)), "uriBaseId": "%SRCROOT%"},
                    "replacements": replacements,
                    **({"properties": {"newFile": True}} if path in created else {}),
                }
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
                "properties": _rule_properties(rule),
            }
        )
    results = []
    for f in data.findings:
        result = {
            "ruleId": f.code,
            "level": LEVEL.get(f.severity, "error"),
            "message": {"text": _message(f)},
            "locations": [_location(f.path, f.span, data.root)],
            "partialFingerprints": {"peerlintIdentity/v1": fingerprint(f)},
        }
        if f.code in index:
            result["ruleIndex"] = index[f.code]
        fixes = _fixes(f.fix, data.root)
        if fixes:
            result["fixes"] = fixes
        if f.related:
            result["relatedLocations"] = [
                _location(r.path, r.span, data.root, r.message, i) for i, r in enumerate(f.related)
            ]
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
                **_base_ids(data.root),
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"


def _rule_properties(rule) -> dict:
    properties: dict = {"tags": [rule.slug], "suppressible": rule.suppressible, "fix": rule.fix or "none"}
    if rule.security_severity is not None:
        properties["tags"] = ["security", rule.slug]
        properties["security-severity"] = f"{rule.security_severity:.1f}"
    return properties


def _base_ids(root: str) -> dict:
    """Anchor ``%SRCROOT%`` at the repository root (a file URI ending in "/")."""
    if not root:
        return {}
    from pathlib import Path

    return {"originalUriBaseIds": {"%SRCROOT%": {"uri": Path(root).as_uri().rstrip("/") + "/"}}}
