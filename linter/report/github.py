"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` line
per finding, which the runner turns into annotations on the pull request diff.

``::error file=F,line=L,col=C,endLine=EL,endColumn=EC,title=T::MESSAGE``. GitHub's
columns are 1-based and ``endColumn`` is the last column of the range (inclusive), so
the exclusive end of a :class:`~linter.nodes.Span` is turned into its last character.
Values are escaped the way the runner unescapes them (actions/toolkit ``command.ts``):
``%``, CR and LF everywhere, and also ``:`` and ``,`` inside properties.
"""

from __future__ import annotations

from linter.report import ReportInput, repository_path
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
            "file": esc(f.path),
            "line": s.line,
            "col": s.col,
            "endLine": s.end_line,
            "endColumn": last,
            "title": f"{f.code} {rule.slug}" if rule else f.code,
        }
        # each part on its own line, its own line breaks and escapes shown, never obeyed (issue #21)
        message = esc(f.message)
        for rel in f.related:
            message += f"\n{esc(rel.path)}:{rel.span.line}:{rel.span.col}: {esc(rel.message or 'related')}"
        if f.fix_text:
            message += f"\nFix: {esc(f.fix_text)}"
        head = ",".join(f"{k}={escape_property(str(v))}" for k, v in props.items())
        lines.append(f"::{LEVEL.get(f.severity, 'error')} {head}::{escape_data(message)}")
    return "".join(line + "\n" for line in lines)


#: GitHub shows at most this many annotations of each level per step (the rest are dropped).
ANNOTATION_LIMIT = 10


def dropped(data: ReportInput) -> dict[str, int]:
    """How many annotations of each level GitHub will not show."""
    counts: dict[str, int] = {}
    for f in data.findings:
        level = LEVEL.get(f.severity, "error")
        counts[level] = counts.get(level, 0) + 1
    return {level: n - ANNOTATION_LIMIT for level, n in counts.items() if n > ANNOTATION_LIMIT}


def summary(data: ReportInput, top: int = 20) -> str:
    """The job summary (Markdown for ``$GITHUB_STEP_SUMMARY``): counts per rule, then the
    first findings with links to their rule, so nothing is lost to the annotation limit."""
    import os

    per_rule: dict[str, int] = {}
    for f in data.findings:
        per_rule[f.code] = per_rule.get(f.code, 0) + 1
    lines = ["## peerlint", ""]
    if not data.findings:
        lines.append(f"No problems found in {data.files_checked} file(s).")
        return "\n".join(lines) + "\n"
    lines += [
        f"{len(data.findings)} problem(s) in {data.files_checked} file(s).",
        "",
        "| rule | findings |",
        "|---|---|",
    ]
    for code, n in sorted(per_rule.items(), key=lambda item: (-item[1], item[0])):
        rule = data.rules.get(code)
        name = f"[{code} {rule.slug}]({rule.help_uri()})" if rule else code
        lines.append(f"| {name} | {n} |")
    server = os.environ.get("GITHUB_SERVER_URL", "https://github.com")
    repo, sha = os.environ.get("GITHUB_REPOSITORY"), os.environ.get("GITHUB_SHA")
    lines += ["", "| where | rule | message |", "|---|---|---|"]
    for f in data.findings[:top]:
        where = f"{f.path}:{f.span.line}:{f.span.col}"
        if repo and sha:
            uri = repository_path(f.path, data.root)
            where = f"[{where}]({server}/{repo}/blob/{sha}/{uri}#L{f.span.line})"
        message = f.message.replace("|", "\\|").replace("\n", " ")
        lines.append(f"| {where} | {f.code} | {message} |")
    if len(data.findings) > top:
        lines.append(f"\n{len(data.findings) - top} more: see the job log or the SARIF report.")
    return "\n".join(lines) + "\n"


def announce(data: ReportInput) -> None:
    """Side effects of the github format: say on stderr when GitHub will drop
    annotations, and append the summary to ``$GITHUB_STEP_SUMMARY`` when it is set."""
    import os
    import sys

    over = dropped(data)
    if over:
        shown = ", ".join(f"{n} {level}" for level, n in sorted(over.items()))
        print(
            f"peerlint: GitHub shows at most {ANNOTATION_LIMIT} annotations of each level per step; "
            f"{shown} annotation(s) will not show (all are in the log above"
            + (" and the job summary)" if os.environ.get("GITHUB_STEP_SUMMARY") else ")"),
            file=sys.stderr,
        )
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if target:
        try:
            with open(target, "a", encoding="utf-8") as handle:
                handle.write(summary(data))
        except OSError as err:
            print(f"peerlint: cannot write the job summary {target}: {err.strerror or err}", file=sys.stderr)
