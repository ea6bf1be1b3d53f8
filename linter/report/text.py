"""Human output: grouped by file, the offending line with carets under the exact span.

Plain text when not a terminal, with ``--no-color`` or ``NO_COLOR``; rich styling
otherwise (rich is imported only then)."""

from __future__ import annotations

from linter.api import Finding
from linter.report import ReportInput, mask_secrets
from linter.textsafe import clip_excerpt
from linter.textsafe import escape_control as esc

SEVERITY_STYLE = {"error": "bold red", "warning": "bold yellow", "note": "bold cyan"}


def _snippet(text: str | None, finding: Finding) -> list[tuple[str, str]]:
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
    source, start, end = clip_excerpt(source, start, end)
    return [(source, " " * start + "^" * min(end - start, max(len(source) - start, 1)))]


def _summary(data: ReportInput) -> str:
    counts: dict[str, int] = {}
    for f in data.findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    if not data.findings:
        return f"No problems found in {data.files_checked} file(s)."
    parts = [f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}" for s in ("error", "warning", "note") if s in counts]
    return f"Found {len(data.findings)} problem(s) ({', '.join(parts)}) in {data.files_checked} file(s)."


def render(data: ReportInput) -> str:
    blocks: list[str] = []
    if data.color:
        return _render_rich(data)
    current = None
    for f in data.findings:
        if f.path != current:
            current = f.path
            blocks.append(f"{esc(f.path)}")
        blocks.append(f"  {f.span.line}:{f.span.col}  {f.severity:<7} {f.code}  {esc(f.message)}")
        for source, carets in _snippet(data.texts.get(f.path), f):
            width = len(str(f.span.line))
            blocks.append(f"    {f.span.line:>{width}} | {source}")
            blocks.append(f"    {'':>{width}} | {carets}")
        for rel in f.related:
            blocks.append(
                f"    related: {esc(rel.path)}:{rel.span.line}:{rel.span.col}"
                + (f" {esc(rel.message)}" if rel.message else "")
            )
        if f.fix_text:
            blocks.append(f"    fix: {esc(f.fix_text)}")
    blocks.append(_summary(data))
    return "\n".join(blocks) + "\n"


def _render_rich(data: ReportInput) -> str:
    from rich.console import Console
    from rich.markup import escape

    console = Console(record=True, force_terminal=True, color_system="standard", width=120, file=open("/dev/null", "w"))
    current = None
    for f in data.findings:
        if f.path != current:
            current = f.path
            console.print(f"[bold underline]{escape(esc(f.path))}[/]")
        style = SEVERITY_STYLE.get(f.severity, "bold")
        console.print(
            f"  [dim]{f.span.line}:{f.span.col}[/]  [{style}]{f.severity:<7}[/] [bold]{f.code}[/]  {escape(esc(f.message))}",
            highlight=False,
        )
        for source, carets in _snippet(data.texts.get(f.path), f):
            width = len(str(f.span.line))
            console.print(f"    [dim]{f.span.line:>{width}} |[/] {escape(source)}", highlight=False)
            console.print(f"    [dim]{'':>{width}} |[/] [{style}]{carets}[/]", highlight=False)
        for rel in f.related:
            console.print(
                f"    [dim]related:[/] {escape(esc(rel.path))}:{rel.span.line}:{rel.span.col} {escape(esc(rel.message))}",
                highlight=False,
            )
        if f.fix_text:
            console.print(f"    [green]fix:[/] {escape(esc(f.fix_text))}", highlight=False)
    console.print(_summary(data), style="bold", highlight=False)
    return console.export_text(styles=True)
