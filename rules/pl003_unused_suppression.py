"""PL003: suppression comments that suppress nothing, name unknown codes, lack a
required reason or try to silence a non-suppressible rule."""

from __future__ import annotations

from typing import Iterator

from linter.api import Finding, Rule, file_location


class UnusedSuppression(Rule):
    code = "PL003"
    slug = "unused-suppression"
    summary = "A suppression comment that suppressed nothing, or names an unknown code"
    severity = "warning"
    reads = ("suppressions",)
    fix = "sometimes"  # an unused suppression is removed; other problems need a human
    doc = """
## What it does
Audits every `peerlint: ignore[...]` and `peerlint: ignore-file[...]` comment and
reports, at the code in the comment:
- a code that suppressed no finding (the problem was fixed, or the comment is on the
  wrong line: an inline directive covers its own line, or the next line when it stands
  on a line of its own);
- a code that is not a peerlint rule (with the closest known code);
- a directive without a reason when the config sets `require-suppression-reason = true`
  (it then suppresses nothing);
- a code that may not be suppressed (the rule is not suppressible, or the config lists
  it under `non-suppressible`);
- a directive with no `[CODES]` at all.

Only rules that ran are audited: with `--select PL2`, an `ignore[PL301]` is left alone.

## Why is this bad?
A stale suppression hides the next real problem on that line without anyone deciding
to; a misspelt code or a misplaced comment looks like it works and does not.

**Assumes** nothing about the cluster: a suppression is unused only for rules that ran
(codes left out by `--select`/`ignore` are not judged).

## References
- [Ruff `RUF100` (unused-noqa), the model for this rule](https://docs.astral.sh/ruff/rules/unused-noqa/)
- [peerlint README: Suppressions and baselines](https://github.com/peerlint/peerlint/blob/main/README.md#suppressions-and-baselines)
"""
    example = {
        "bad": {
            "exports.hcl": """\
# peerlint: ignore[PL002] legacy name kept for the migration
Kind = "exported-services"
Name = "default"
""",
        },
        "good": {
            "exports.hcl": """\
# peerlint: ignore[PL002] legacy name kept for the migration
Kind = "exported-service"
Name = "default"
""",
        },
    }

    def check(self, project) -> Iterator[Finding]:
        """Nothing to check in the documents: PL003 reads the other rules' results,
        so the engine calls :meth:`report` for it after they ran (linter.suppress)."""
        return iter(())

    @classmethod
    def finding_for(cls, problem, severity: str | None = None) -> Finding:
        """The finding for one :class:`linter.suppress.Problem`. Its identity names the
        directive, not its line, so a baseline keeps matching when lines move."""
        return cls().report(
            file_location(problem.path, problem.span),
            problem.message,
            fix=problem.fix,
            severity=severity,
            node_path=f"suppression: {problem.label}",
        )
