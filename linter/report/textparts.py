"""What the text report's two layouts share (:mod:`linter.report.text` for pipes and
files, :mod:`linter.report.terminal` for a terminal): the source excerpt with carets
under the span, the summary line, the severities' styles."""

from __future__ import annotations

from linter.api import Finding
from linter.report import ReportInput, mask_secrets
from linter.textsafe import clip_excerpt

SEVERITY_STYLE = {"error": "bold red", "warning": "bold yellow", "note": "bold cyan"}


def _snippet(text: str | None, finding: Finding, width: int = 0) -> list[tuple[str, str]]:
    """(source line, caret line) for the first line of the finding's span."""
    if not text:
        return []
    lines = text.split("\n")
    line_no = finding.span.line
    if line_no < 1 or line_no > len(lines):
        return []
    source = mask_secrets(lines[line_no - 1].replace("\t", " "))
    start = max(finding.span.col - 1, 0)
    end = finding.span.end_col - 1 if finding.span.end_line == line_no else len(source)
    end = max(end, start + 1)
    source, start, end = clip_excerpt(source, start, end, width) if width else clip_excerpt(source, start, end)
    return [(source, " " * start + "^" * min(end - start, max(len(source) - start, 1)))]


def _summary(data: ReportInput) -> str:
    counts: dict[str, int] = {}
    for f in data.findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    if not data.findings:
        return f"No problems found in {data.files_checked} file(s)."
    parts = [f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}" for s in ("error", "warning", "note") if s in counts]
    return f"Found {len(data.findings)} problem(s) ({', '.join(parts)}) in {data.files_checked} file(s)."
