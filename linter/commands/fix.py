"""``peerlint check --fix`` / ``--unsafe-fixes`` / ``--diff`` / ``--add-suppressions``:
what the check found, changed in the files (or shown as a diff), then what remains.

Exit codes as for ``check``: after ``--fix`` and ``--add-suppressions`` the findings that
remain decide (0/1; a file refused on purpose keeps its findings); ``--diff`` exits 1
when anything would change (nothing is written); 2 when a file could not be written.
"""

from __future__ import annotations

import sys
from typing import Any, Callable

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _failed(outcome: Any) -> bool:
    """A file could not be read again or written (exit 2); a file refused on purpose
    (outside the project, changed meanwhile, mixed line breaks) keeps its findings,
    which decide the exit code."""
    return any(why.startswith("cannot") for why in outcome.refused.values())


def _say(text: str) -> None:
    print(f"peerlint: {text}", file=sys.stderr)


def project_roots(args: Any, config: Any) -> list[str]:
    """What a fix may write: the project root (the folder of the configuration, else the
    first path checked), and every path the user named (a folder's whole tree)."""
    return [config.root, *(args.paths or []), *([args.project] if args.project else [])]


def _may_create(path: str, config: Any, roots: list[str]) -> bool | str:
    """Whether a fix may create ``path`` (see :func:`linter.fixing.creatable`), or why not."""
    from linter.fixing import UNREAD, creatable, read_by

    if not creatable(path, *roots):
        return False
    return True if read_by(path, config) else UNREAD


def run_fixes(args: Any, result: Any, config: Any, recheck: Callable[[], Any], report: Callable[[Any], int]) -> int:
    """Apply (or diff) the fixes of ``result``; ``recheck`` lints the files again from
    disk and ``report`` writes the reports of a result and returns the exit code."""
    from linter.fixing import fix_texts, inside, relinter, summary, unified_diff, write_changes

    unsafe = bool(args.unsafe_fixes)
    roots = project_roots(args, config)
    outcome = fix_texts(
        result.texts,
        result.findings,
        relinter(config, result.rules, args.select, args.ignore),
        unsafe,
        lambda path: inside(path, *roots) if path in result.texts else _may_create(path, config, roots),
    )
    if result.focus is not None:
        focus = result.focus
        outcome.remaining = [f for f in outcome.remaining if f.path in focus or any(r.path in focus for r in f.related)]
    if args.diff:
        sys.stdout.write(unified_diff(outcome))
        sys.stdout.flush()
        for path, why in sorted(outcome.refused.items()):
            _say(f"would not change {path}: {why}")
        _say(summary(outcome, unsafe=unsafe))
        return EXIT_FINDINGS if outcome.changed else EXIT_OK
    written = write_changes(outcome, roots)
    for path in written:
        if path in outcome.created:
            _say(f"created {path}")
    for path, why in sorted(outcome.refused.items()):
        _say(f"did not change {path}: {why}")
    _say(summary(outcome, written, unsafe))
    status = report(recheck())
    return EXIT_ERROR if _failed(outcome) else status


def run_add_suppressions(args: Any, result: Any, config: Any, recheck: Callable[[], Any], report) -> int:
    """Write a reasoned suppression directive above every current finding."""
    from linter.addsuppress import add_suppressions
    from linter.fixing import FixOutcome, inside, write_changes

    reason = args.add_suppressions
    if not reason.strip():
        _say("--add-suppressions needs a reason (it is written into every directive)")
        return EXIT_ERROR
    roots = project_roots(args, config)
    findings = [f for f in result.findings if inside(f.path, *roots)]
    added = add_suppressions(findings, result.texts, reason)
    outcome = FixOutcome(before={p: result.texts[p] for p in added.texts}, after=added.texts)
    written = write_changes(outcome, roots)
    for path, why in sorted(outcome.refused.items()):
        _say(f"did not change {path}: {why}")
    _say(f"Added suppressions for {added.covered} finding(s) in {len(written)} file(s)")
    reasons: dict[str, int] = {}
    for _finding, why in added.left:
        reasons[why] = reasons.get(why, 0) + 1
    for why, count in sorted(reasons.items()):
        _say(f"{count} finding(s) left without one: {why}")
    status = report(recheck())
    return EXIT_ERROR if _failed(outcome) else status
