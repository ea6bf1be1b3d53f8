"""``path:line:col: severity: message [CODE]``, the compiler format editors and CI
log scrapers already parse (VS Code's ``$gcc`` problem matcher, Emacs compile mode,
Vim's quickfix ``%f:%l:%c:``).

``$gcc`` knows only ``error`` and ``warning``, so a note-severity finding is written as
a ``warning`` (the code in brackets still says which rule). Related locations follow
their finding as ``note:`` lines, exactly as gcc writes its own notes: tools that
understand them attach them, and ``$gcc`` skips them rather than showing a second
problem. Columns are 1-based code points.
"""

from __future__ import annotations

from linter.report import ReportInput
from linter.textsafe import escape_control as esc

LEVEL = {"error": "error", "warning": "warning", "note": "warning"}


def _one_line(text: str) -> str:
    return esc(" ".join(text.split()))


def render(data: ReportInput) -> str:
    out = []
    for f in data.findings:
        level = LEVEL.get(f.severity, "error")
        out.append(f"{esc(f.path)}:{f.span.line}:{f.span.col}: {level}: {_one_line(f.message)} [{f.code}]")
        for rel in f.related:
            out.append(
                f"{esc(rel.path)}:{rel.span.line}:{rel.span.col}: note: {_one_line(rel.message or 'related location')}"
            )
    return "".join(line + "\n" for line in out)
