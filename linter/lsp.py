"""``peerlint lsp``: a language server that publishes peerlint's findings as
diagnostics while files are edited (stdio; pygls, imported only by ``serve``).

Which project a document belongs to, and what is read from disk, is
:mod:`linter.commands.editor`'s: the nearest configuration per document (several
projects in one workspace), else the deepest workspace folder (several, added and
removed), else the open documents alone (never the server's working directory or
``/``). A project is read once, when its first document opens (``$/progress`` meanwhile,
through the on-disk parse cache); the editor's buffers are linted instead of the
disk; file watchers (``workspace/didChangeWatchedFiles``, registered when the client
allows) bring changes made on disk. Diagnostics are published for every open document
of the project on open, change and save, since an edit in one file can raise or
clear findings in another. Hover on a diagnostic shows its rule's summary and page;
code actions suppress a finding with a reason, or apply the rule's fix edits.

Ranges are exact: peerlint's spans are 1-based code points with an exclusive end;
LSP positions are 0-based lines and UTF-16 code units, converted with the line's text.
Each diagnostic's ``code`` is the rule code and ``codeDescription.href`` its page in
docs/rules.md; related locations become ``relatedInformation``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from linter.api import Finding
from linter.config import ConfigError
from linter.nodes import Span

if TYPE_CHECKING:
    from linter.engine import Result

SEVERITY = {"error": 1, "warning": 2, "note": 3}  # lsprotocol DiagnosticSeverity values
DEBOUNCE_SECONDS = 0.15  # while typing, lint once the keystrokes pause


def utf16_col(line_text: str, col: int) -> int:
    """The UTF-16 offset of 1-based code-point column ``col`` in ``line_text``."""
    prefix = line_text[: max(col - 1, 0)]
    return len(prefix.encode("utf-16-le")) // 2 + max(col - 1 - len(prefix), 0)


def lsp_range(span: Span, text: str | None) -> dict[str, dict[str, int]]:
    """A peerlint span as an LSP range (0-based lines, UTF-16 characters)."""
    lines = (text or "").split("\n")

    def pos(line: int, col: int) -> dict[str, int]:
        line_text = lines[line - 1] if 0 < line <= len(lines) else ""
        return {"line": max(line - 1, 0), "character": utf16_col(line_text, col)}

    return {"start": pos(span.line, span.col), "end": pos(span.end_line, span.end_col)}


def diagnostics(result: Result, path: str) -> list[dict[str, Any]]:
    """The LSP diagnostics (as JSON-shaped dicts) for the findings in ``path``."""
    texts = result.texts
    out = []
    for f in result.findings:
        if f.path != path:
            continue
        out.append(_diagnostic(f, result, texts))
    return out


def _diagnostic(f: Finding, result: Result, texts: dict[str, str]) -> dict[str, Any]:
    from pathlib import Path

    diag: dict[str, Any] = {
        "range": lsp_range(f.span, texts.get(f.path)),
        "severity": SEVERITY.get(f.severity, 1),
        "code": f.code,
        "source": "peerlint",
        "message": f.message + (f"\nFix: {f.fix_text}" if f.fix_text else ""),
    }
    rule = result.rules.get(f.code)
    if rule is not None:
        diag["codeDescription"] = {"href": rule.help_uri()}
    if f.related:
        diag["relatedInformation"] = [
            {
                "location": {
                    "uri": Path(os.path.abspath(r.path)).as_uri(),
                    "range": lsp_range(r.span, texts.get(r.path)),
                },
                "message": r.message or "related",
            }
            for r in f.related
        ]
    return diag


def config_diagnostic(err: ConfigError) -> dict[str, Any]:
    line = max(err.line - 1, 0)
    return {
        "range": {"start": {"line": line, "character": 0}, "end": {"line": line + 1, "character": 0}},
        "severity": 1,
        "source": "peerlint",
        "message": f"peerlint config error: {err}",
    }


def _contains(rng: dict[str, dict[str, int]], line: int, character: int) -> bool:
    start, end = rng["start"], rng["end"]
    return (start["line"], start["character"]) <= (line, character) <= (end["line"], end["character"])


def findings_at(result: Result, path: str, line: int, character: int) -> list[Finding]:
    """The findings of ``path`` whose range holds the 0-based LSP position."""
    text = result.texts.get(path)
    return [f for f in result.findings if f.path == path and _contains(lsp_range(f.span, text), line, character)]


def hover_markdown(findings: list[Finding], rules: dict[str, Any]) -> str:
    """What hovering a diagnostic shows: each rule's code, name, summary and page."""
    parts = []
    for f in findings:
        rule = rules.get(f.code)
        if rule is None:
            parts.append(f"**{f.code}**: {f.message}")
            continue
        parts.append(
            f"**{f.code}** `{rule.slug}` ({f.severity}): {rule.summary}\n\n[{f.code} documentation]({rule.help_uri()})"
        )
    return "\n\n---\n\n".join(parts)


def suppress_edit(text: str, line: int, code: str) -> dict[str, Any] | None:
    """The text edit that suppresses ``code`` on 0-based ``line``: a comment above it,
    indented like it, with a reason to fill in (HCL and YAML both take ``#``)."""
    lines = text.split("\n")
    if not 0 <= line < len(lines):
        return None
    target = lines[line]
    indent = target[: len(target) - len(target.lstrip(" \t"))]
    return {
        "range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}},
        "newText": f"{indent}# peerlint: ignore[{code}] REASON: why this is safe\n",
    }


def fix_edits(f: Finding, texts: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    """A finding's fix edits as LSP text edits, by file URI ({} when it has none)."""
    from pathlib import Path

    out: dict[str, list[dict[str, Any]]] = {}
    for edit in f.fix.edits if f.fix is not None else ():
        uri = Path(os.path.abspath(edit.path)).as_uri()
        out.setdefault(uri, []).append({"range": lsp_range(edit.span, texts.get(edit.path)), "newText": edit.new_text})
    return out


def creates_files(f: Finding) -> bool:
    """Whether the finding's fix creates a file (it needs ``documentChanges``)."""
    return f.fix is not None and any(e.create for e in f.fix.edits)


def fix_workspace_edit(f: Finding, texts: dict[str, str]) -> dict[str, Any]:
    """A finding's fix as an LSP ``WorkspaceEdit`` (JSON-shaped): ``changes`` by URI, or,
    when it creates a file, ``documentChanges``: a ``CreateFile`` that fails rather
    than overwrite (``overwrite`` and ``ignoreIfExists`` false), then the text edits
    of each file (the new one's at its start). {} when the fix has no edits."""
    by_uri = fix_edits(f, texts)
    if not by_uri or not creates_files(f):
        return {"changes": by_uri} if by_uri else {}
    from pathlib import Path

    assert f.fix is not None
    created = {Path(os.path.abspath(e.path)).as_uri() for e in f.fix.edits if e.create}
    changes: list[dict[str, Any]] = [
        {"kind": "create", "uri": uri, "options": {"overwrite": False, "ignoreIfExists": False}}
        for uri in sorted(created)
    ]
    changes += [{"textDocument": {"uri": uri, "version": None}, "edits": edits} for uri, edits in by_uri.items()]
    return {"documentChanges": changes}
