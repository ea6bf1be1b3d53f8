"""Human output: grouped by file, the offending line with carets under the exact span.

Plain text when not a terminal, with ``--no-color`` or ``NO_COLOR``; rich styling
otherwise (rich is imported only then). On a terminal (``ReportInput.width``) each
finding starts with its own ``path:line:col`` instead (linter.report.terminal)."""

from __future__ import annotations

from linter.report import ReportInput
from linter.report.textparts import SEVERITY_STYLE, _snippet, _summary
from linter.textsafe import escape_control as esc


def render(data: ReportInput) -> str:
    blocks: list[str] = []
    if data.width:
        from linter.report.terminal import render_terminal

        return render_terminal(data)
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
