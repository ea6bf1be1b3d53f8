"""Suppression directives: governed, and audited by PL003.

Forms (``//`` works wherever ``#`` does in HCL; JSON has no comments):

- ``# peerlint: ignore[PL301] reason`` at the end of a line suppresses those codes on
  that line; on a line of its own it suppresses them on the next line that is not
  itself a comment (so directives can be stacked above one line).
- ``# peerlint: ignore-file[PL301,PL302] reason`` anywhere in a file suppresses the
  codes in the whole file.
- ``per-path-ignores`` in the config (applied by the engine before this module).

Suppression is governed rather than a free pass: with ``require-suppression-reason =
true`` a directive without a reason suppresses nothing; a rule can be declared
non-suppressible (``Rule.suppressible = False`` or ``non-suppressible`` in the config),
and a directive naming it suppresses nothing. Each of those, every unknown code, and
every directive that suppressed nothing becomes a problem that PL003 reports at the
code in the comment, so stale suppressions do not outlive the findings they hid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from linter.api import Edit, Finding, Fix, Rule
from linter.comments import comments
from linter.config import Config
from linter.nodes import Span
from linter.parse import syntax_for
from linter.textedits import delete_lines, line_of

UNUSED_SUPPRESSION = "PL003"
_DIRECTIVE = re.compile(r"\s*peerlint\s*:\s*(ignore-file|ignore)\b")
_CODE = re.compile(r"[^,\s\]]+")


@dataclass
class Code:
    """One code named in a directive, and where it is written."""

    text: str
    span: Span
    used: bool = False


@dataclass
class Directive:
    path: str
    line: int  # the comment's line
    target: int  # the line it applies to (ignored for file-level directives)
    file_level: bool
    codes: list[Code]
    reason: str
    span: Span  # the directive word through the closing bracket
    marker_col: int = 0  # where the comment's marker (# or //) starts
    own_line: bool = False  # the comment is alone on its line

    def covers(self, finding: Finding) -> bool:
        return self.file_level or finding.span.line in (self.line, self.target)


@dataclass
class Problem:
    """Something wrong with a directive, for PL003: where, what, and a stable name."""

    path: str
    span: Span
    message: str
    label: str
    fix: str | Fix = ""


def parse_directives(path: str, text: str, problems: list[Problem] | None = None) -> list[Directive]:
    """The directives in one file's text. Malformed ones (no ``[CODES]``) are added to
    ``problems`` rather than silently ignored: a typo must not look like it works."""
    found: list[Directive] = []
    if "peerlint" not in text:  # most files: no need to scan them character by character
        return found
    syntax = syntax_for(path, text)
    all_comments = list(comments(text, syntax))
    comment_only = {c.line for c in all_comments if c.own_line}
    for comment in all_comments:
        match = _DIRECTIVE.match(comment.body)
        if not match:
            continue
        kind = match.group(1)
        rest_at = match.end()
        start = Span(comment.line, comment.body_col + match.start(1), comment.line, comment.body_col + match.end(1))
        rest = comment.body[rest_at:]
        bracket = re.match(r"\s*\[([^\]]*)\]", rest)
        if bracket is None or not bracket.group(1).strip():
            if problems is not None:
                problems.append(
                    Problem(
                        path,
                        start,
                        f"`peerlint: {kind}` names no rule code; write `peerlint: {kind}[CODE] reason`",
                        f"malformed {kind}",
                        fix=f"name the codes: peerlint: {kind}[PL301] reason",
                    )
                )
            continue
        codes = []
        inner_col = comment.body_col + rest_at + bracket.start(1)
        for code in _CODE.finditer(bracket.group(1)):
            col = inner_col + code.start()
            codes.append(Code(code.group(0).upper(), Span(comment.line, col, comment.line, col + len(code.group(0)))))
        reason = rest[bracket.end() :].strip().lstrip(":-\u2014 ").strip()
        target = comment.line
        if comment.own_line:
            target += 1
            while target in comment_only:
                target += 1
        span = Span(comment.line, start.col, comment.line, comment.body_col + rest_at + bracket.end())
        found.append(
            Directive(
                path, comment.line, target, kind == "ignore-file", codes, reason, span, comment.col, comment.own_line
            )
        )
    return found


def non_suppressible(code: str, rules: dict[str, type[Rule]], config: Config) -> bool:
    """A rule that may not be suppressed, by its own metadata or the project's config."""
    rule = rules.get(code)
    if rule is not None and not rule.suppressible:
        return True
    return any(code.startswith(prefix) for prefix in config.non_suppressible)


def apply_suppressions(
    findings: list[Finding], texts: dict[str, str], rules: dict[str, type[Rule]], config: Config, ran: Iterable[str]
) -> list[Finding]:
    """``findings`` without the suppressed ones, plus PL003 findings (when PL003 ran)
    for every directive problem. ``ran`` are the codes that ran this time: a directive
    for a rule that did not run is not "unused", it was just not checked."""
    ran = set(ran)
    problems: list[Problem] = []
    directives: dict[str, list[Directive]] = {}
    for path, text in texts.items():
        for directive in parse_directives(path, text, problems):
            directives.setdefault(path, []).append(directive)
    usable = _vet(directives, rules, config, problems)
    kept = _filter(findings, usable, directives)
    if UNUSED_SUPPRESSION not in ran or UNUSED_SUPPRESSION not in rules:
        return kept
    checked = ran - {UNUSED_SUPPRESSION}
    problems.extend(_unused(directives, usable, checked, texts))
    reporter = rules[UNUSED_SUPPRESSION]
    severity = config.severity.get(UNUSED_SUPPRESSION)
    audit = [reporter.finding_for(p, severity) for p in problems]  # type: ignore[attr-defined]
    # A directive may suppress PL003 itself (e.g. an ignore-file[PL003] on generated files).
    audit = _filter(audit, usable, directives)
    problems = list(_unused(directives, usable, {UNUSED_SUPPRESSION}, texts))
    audit.extend(reporter.finding_for(p, severity) for p in problems)  # type: ignore[attr-defined]
    return kept + audit


def _vet(
    directives: dict[str, list[Directive]], rules: dict[str, type[Rule]], config: Config, problems: list[Problem]
) -> set[int]:
    """ids of the Code objects allowed to suppress; the rest become problems."""
    from linter.kinds import did_you_mean

    usable: set[int] = set()
    for path, items in directives.items():
        for d in items:
            if config.require_suppression_reason and not d.reason:
                names = ",".join(c.text for c in d.codes)
                problems.append(
                    Problem(
                        path,
                        d.span,
                        f"suppression of {names} has no reason, and require-suppression-reason is on: it suppresses nothing",
                        "no reason",
                        fix="say why after the bracket: peerlint: ignore[CODE] the reason",
                    )
                )
                continue
            for code in d.codes:
                if code.text not in rules:
                    hint = did_you_mean(code.text, rules)
                    problems.append(
                        Problem(
                            path,
                            code.span,
                            f"unknown rule code {code.text} in suppression"
                            + (f"; did you mean {hint}?" if hint else ""),
                            f"unknown {code.text}",
                            fix=Fix(f"write {hint}", (Edit(path, code.span, hint),))
                            if hint
                            else "remove it (see `peerlint rules`)",
                        )
                    )
                elif non_suppressible(code.text, rules, config):
                    why = (
                        "the rule is not suppressible"
                        if not rules[code.text].suppressible
                        else "non-suppressible in the project config"
                    )
                    problems.append(
                        Problem(
                            path,
                            code.span,
                            f"{code.text} cannot be suppressed ({why}); the finding stays",
                            f"non-suppressible {code.text}",
                            fix="fix the finding instead",
                        )
                    )
                else:
                    usable.add(id(code))
    return usable


def _filter(findings: list[Finding], usable: set[int], directives: dict[str, list[Directive]]) -> list[Finding]:
    kept = []
    for finding in findings:
        hit = None
        if finding.suppressible:
            for d in directives.get(finding.path, ()):
                if d.covers(finding):
                    hit = next((c for c in d.codes if c.text == finding.code and id(c) in usable), None)
                    if hit is not None:
                        break
        if hit is None:
            kept.append(finding)
        else:
            hit.used = True
    return kept


def _unused(
    directives: dict[str, list[Directive]], usable: set[int], checked: set[str], texts: dict[str, str]
) -> Iterable[Problem]:
    for path, items in directives.items():
        for d in items:
            for code in d.codes:
                if id(code) in usable and not code.used and code.text in checked:
                    where = "in this file" if d.file_level else f"on line {d.target}"
                    kind = "ignore-file" if d.file_level else "ignore"
                    yield Problem(
                        path,
                        code.span,
                        f"unused suppression: no {code.text} finding {where}",
                        f"unused {kind}[{code.text}]",
                        fix=Fix(
                            "remove the suppression (the finding it hid is gone)",
                            _removal(texts.get(path), d, code),
                        ),
                    )


def _removal(text: str | None, directive: Directive, code: Code) -> tuple[Edit, ...]:
    """The edit removing ``code`` from its directive: the code and its comma when the
    directive names others, else the whole comment (its line when it has one of its
    own; the comment and the blanks before it at the end of a line)."""
    if text is None:
        return ()
    path, line = directive.path, directive.line
    if len(directive.codes) > 1:
        i = directive.codes.index(code)
        if i + 1 < len(directive.codes):
            nxt = directive.codes[i + 1].span
            return (Edit(path, Span(line, code.span.col, line, nxt.col), ""),)
        prev = directive.codes[i - 1].span
        return (Edit(path, Span(line, prev.end_col, line, code.span.end_col), ""),)
    if directive.own_line:
        return (delete_lines(path, text, line, line),)
    row = line_of(text, line)
    start = directive.marker_col - 1
    while start > 0 and row[start - 1] in " \t":
        start -= 1
    return (Edit(path, Span(line, start + 1, line, len(row) + 1), ""),)
