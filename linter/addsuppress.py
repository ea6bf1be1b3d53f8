"""``peerlint check --add-suppressions "reason"``: a reasoned directive above every
current finding (ruff's ``--add-noqa``), for adopting peerlint on a large repository.

Each directive is a comment line of its own, indented like the line it applies to:
``# peerlint: ignore[PL101,PL303] reason`` (the syntax :mod:`linter.suppress` reads;
directives stack). Only files with comments get one (HCL, YAML; JSON has none), only
suppressible findings, and only where the new line is read back as a comment that
applies to the finding's line: a line inside a heredoc, a block scalar or a multi-line
string would turn the comment into data, so such findings are left and counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from linter.comments import comments
from linter.findings import Finding, Fix
from linter.parse import parse_text, syntax_for
from linter.textedits import apply_fixes, indent_of, insert_lines


@dataclass
class Added:
    """The texts with directives added, how many findings they cover, and the findings
    left without one (with why)."""

    texts: dict[str, str] = field(default_factory=dict)
    covered: int = 0
    left: list[tuple[Finding, str]] = field(default_factory=list)


def _directive(indent: str, codes: list[str], reason: str) -> str:
    return f"{indent}# peerlint: ignore[{','.join(codes)}] {reason}".rstrip()


def add_suppressions(findings: list[Finding], texts: dict[str, str], reason: str) -> Added:
    """Directives for ``findings`` in ``texts`` (display path -> text); the changed
    texts only. The reason is one line (line breaks become spaces)."""
    reason = " ".join(reason.split())
    added = Added()
    by_line: dict[str, dict[int, list[Finding]]] = {}
    for finding in findings:
        text = texts.get(finding.path)
        if not finding.suppressible or finding.code == "PL000":
            added.left.append((finding, "not suppressible"))
        elif finding.code == "PL003":  # on a directive: a directive above it covers the next code line instead
            added.left.append((finding, "a problem with a suppression comment (fix or remove it)"))
        elif text is None or syntax_for(finding.path, text) == "json":
            added.left.append((finding, "the file has no comments (JSON)" if text is not None else "not readable"))
        else:
            by_line.setdefault(finding.path, {}).setdefault(finding.span.line, []).append(finding)
    for path, lines in by_line.items():
        text = texts[path]
        syntax = syntax_for(path, text)
        fixes, groups = [], []
        for line, group in sorted(lines.items()):
            codes = sorted({f.code for f in group})
            new = _directive(indent_of(text, line), codes, reason)
            fixes.append(Fix("add a suppression", (insert_lines(path, line, [new]),)))
            groups.append((line, group))
        changed, _applied = apply_fixes({path: text}, fixes)
        new_text = changed.get(path, text)
        good = _read_back(new_text, syntax, [line for line, _ in groups])
        if good is None:  # the file would not parse: add nothing to it
            added.left.extend((f, "a comment there would not parse") for _, g in groups for f in g)
            continue
        keep = [i for i, (line, _) in enumerate(groups) if good[i]]
        if len(keep) != len(groups):
            changed, _applied = apply_fixes({path: text}, [fixes[i] for i in keep])
            new_text = changed.get(path, text)
            added.left.extend(
                (f, "the line is inside a multi-line value")
                for i, (_, g) in enumerate(groups)
                if i not in keep
                for f in g
            )
        if new_text != text:
            added.texts[path] = new_text
            added.covered += sum(len(groups[i][1]) for i in keep)
    return added


def _read_back(text: str, syntax: str, lines: list[int]) -> list[bool] | None:
    """For each original target line (in order), whether its directive is a comment on
    a line of its own right above it in ``text``; None when ``text`` does not parse."""
    if parse_text("x." + ("tf" if syntax == "terraform" else syntax), text).error is not None:
        return None
    found = {c.line for c in comments(text, syntax) if c.own_line and c.body.lstrip().startswith("peerlint:")}
    # the directive for original line L sits at L + (directives inserted before it)
    return [(line + i) in found for i, line in enumerate(lines)]
