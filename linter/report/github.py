"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` line
per finding, which the runner turns into annotations on the pull request diff.

``::error file=F,line=L,col=C,endLine=EL,endColumn=EC,title=T::MESSAGE``. GitHub's
columns are 1-based and ``endColumn`` is the last column of the range (inclusive), so
the exclusive end of a :class:`~linter.nodes.Span` is turned into its last character.
Values are escaped the way the runner unescapes them (actions/toolkit ``command.ts``):
``%``, CR and LF everywhere, and also ``:`` and ``,`` inside properties.
"""
from __future__ import annotations

from linter.report import ReportInput
from linter.textsafe import escape_control

def esc(text: str) -> str:
    """Control characters shown, not obeyed; line breaks are kept (escape_data encodes
    them as %0A, which the runner turns back into lines of one annotation)."""
    return escape_control(text, keep_newlines=True)


LEVEL = {"error": "error", "warning": "warning", "note": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(data: ReportInput) -> str:
    lines = []
    for f in data.findings:
        rule = data.rules.get(f.code)
        s = f.span
        last = max(s.end_col - 1, s.col if s.end_line == s.line else 1)
        props = {
            "file": esc(f.path), "line": s.line, "col": s.col, "endLine": s.end_line, "endColumn": last,
            "title": f"{f.code} {rule.slug}" if rule else f.code,
        }
        # each part on its own line, its own line breaks and escapes shown, never obeyed (issue #21)
        message = esc(f.message)
        for rel in f.related:
            message += f"\n{esc(rel.path)}:{rel.span.line}:{rel.span.col}: {esc(rel.message or 'related')}"
        if f.fix:
            message += f"\nFix: {esc(f.fix)}"
        head = ",".join(f"{k}={escape_property(str(v))}" for k, v in props.items())
        lines.append(f"::{LEVEL.get(f.severity, 'error')} {head}::{escape_data(message)}")
    return "".join(line + "\n" for line in lines)
