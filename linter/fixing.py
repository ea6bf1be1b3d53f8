"""Applying fixes: ``peerlint check --fix`` / ``--unsafe-fixes`` / ``--diff``.

A fix is text edits (``linter.findings.Fix``) that a rule made in the syntax of the file
it touches. This module picks the fixes a run may apply (safe ones, or all), applies
them to the file texts in memory (:func:`linter.textedits.apply_fixes`: each fix whole
or not at all, overlapping ones left for the next round), lints the changed texts again
and repeats until nothing changes or :data:`MAX_ROUNDS` rounds have run: one fix can
reveal or enable another (a renamed key lets its value be checked). Fixes of how files
read (spelling, duplicates, schema values) go in a round of their own, before fixes
judged on what the files mean (:func:`apply_round`). Only then is anything written, so
``--diff`` and ``--fix`` see the same changes.

Writing keeps what the edits did not touch: the texts are LF and BOM-free as peerlint
reads them, so a file read as CRLF is written back as CRLF, with its BOM if it had one,
and with its mode. A path outside the project root is never written, nor a file that
changed on disk while peerlint ran; each write is atomic (``linter.output.write_atomic``).
A fix may create a file (an ``Edit`` with ``create``): only inside the project, in a
folder that exists, and never over a file that is there (``linter.output.create_new``
fails rather than replace one); ``--diff`` shows it against ``/dev/null``.
"""

from __future__ import annotations

import difflib
import os
import stat
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

from linter.findings import Finding, Fix
from linter.textedits import apply_fixes

#: Rounds of lint + apply before giving up on reaching a fixed point.
MAX_ROUNDS = 4

OUTSIDE = "outside the project (its root and the paths checked)"
EXISTS = "a fix creates a file only where none is, and one is there"
UNREAD = "a fix creates a file only where peerlint reads it (include and exclude in the configuration)"

#: Codes whose fixes change how a file reads (parse, suppressions, keys, kinds, values
#: against the schema): a round that has any applies only those (:func:`apply_round`).
READ_FIRST = ("PL0", "PL1")

#: Codes whose findings are never rewritten (committed secrets need a human: rotate).
NEVER_FIXED = ("PL8",)


@dataclass
class FixOutcome:
    """What applying fixes did: the original and final text of every changed file,
    how many findings were fixed, the findings that remain after the last round, and
    files refused (outside the project, changed meanwhile, unwritable) with the reason."""

    before: dict[str, str] = field(default_factory=dict)
    after: dict[str, str] = field(default_factory=dict)
    fixed: int = 0
    rounds: int = 0
    remaining: list[Finding] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    #: files the fixes create (their ``before`` is "")
    created: set[str] = field(default_factory=set)

    @property
    def changed(self) -> list[str]:
        return sorted(p for p in self.after if self.after[p] != self.before.get(p) or p in self.created)


def applicable(finding: Finding, unsafe: bool) -> Fix | None:
    """The fix of ``finding`` this run may apply, or None."""
    fix = finding.fix
    if fix is None or not fix.edits or finding.code.startswith(NEVER_FIXED):
        return None
    return fix if fix.safe or unsafe else None


def inside(path: str, *roots: str) -> bool:
    """Whether ``path`` (following links) is one of ``roots`` or inside one of them:
    :func:`linter.safety.inside`, the one confinement check reads and writes share."""
    from linter.safety import inside as resolves_inside

    return resolves_inside(path, roots)


def fix_texts(
    texts: dict[str, str],
    findings: list[Finding],
    relint: Callable[[dict[str, str]], list[Finding]],
    unsafe: bool,
    allowed: Callable[[str], bool | str],
    max_rounds: int = MAX_ROUNDS,
) -> FixOutcome:
    """Lint-and-apply rounds on ``texts`` (display path -> text) in memory, starting
    from ``findings``; ``relint`` lints a whole set of texts; ``allowed(path)`` says
    whether a file may be changed: True, else False or the reason why not (a fix
    touching any other file is skipped)."""
    outcome = FixOutcome()
    current = dict(texts)
    for _ in range(max_rounds):
        fixes: list[tuple[str, Fix]] = []
        for finding, fix in ((f, applicable(f, unsafe)) for f in findings):
            if fix is None:
                continue
            verdicts = [(e, allowed(e.path)) for e in fix.edits]
            barred = [(e, v) for e, v in verdicts if v is not True]
            for edit, verdict in barred:
                if isinstance(verdict, str):
                    outcome.refused[edit.path] = verdict
                else:
                    outcome.refused[edit.path] = EXISTS if edit.create and os.path.lexists(edit.path) else OUTSIDE
            if not barred:
                fixes.append((finding.code, fix))
        changed, applied = apply_round(current, fixes)
        if not changed:
            break
        outcome.rounds += 1
        outcome.fixed += len(applied)
        for path, text in changed.items():
            if path not in current:
                outcome.created.add(path)
            outcome.before.setdefault(path, current.get(path, ""))
            current[path] = text
        findings = relint(current)
    outcome.after = {path: current[path] for path in outcome.before}
    outcome.remaining = findings
    return outcome


def apply_round(texts: dict[str, str], fixes: list[tuple[str, Fix]]) -> tuple[dict[str, str], list[int]]:
    """One round of ``(code, fix)`` pairs on ``texts`` (:func:`apply_fixes`). When the round
    holds fixes of how files read (:data:`READ_FIRST`: a misspelt key or kind, a
    duplicate key, a suppression) and others, only the former apply: the others were
    judged on the misread files and may contradict them (an annotation rewritten for a
    grammar a renamed Helm value changes); linted again, they come back right."""
    if not fixes:
        return {}, []
    first = [fix for code, fix in fixes if code.startswith(READ_FIRST)]
    if first and len(first) < len(fixes):
        changed, applied = apply_fixes(texts, first)
        if changed:
            return changed, applied
    return apply_fixes(texts, [fix for _code, fix in fixes])


def unified_diff(outcome: FixOutcome) -> str:
    """The changes as one unified diff (``a/``/``b/`` paths, as git prints them; a
    created file from ``/dev/null``)."""
    out: list[str] = []
    for path in outcome.changed:
        out.extend(
            difflib.unified_diff(
                outcome.before[path].splitlines(keepends=True),
                outcome.after[path].splitlines(keepends=True),
                "/dev/null" if path in outcome.created else f"a/{path}",
                f"b/{path}",
            )
        )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in out)


def _as_read(data: bytes) -> tuple[str, bool, bool, bool]:
    """Bytes as peerlint reads them (linter.load.source): text, BOM?, CRLF?, and
    whether CRLF and LF line breaks are mixed (then which break a new line should get
    is a guess: such a file is not written)."""
    bom = data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    crlf = text.count("\r\n")
    mixed = 0 < crlf < text.count("\n")
    return text.replace("\r\n", "\n") if crlf else text, bom, crlf > 0, mixed


def write_changes(outcome: FixOutcome, roots: str | Sequence[str]) -> list[str]:
    """Write every changed file (atomically, keeping its line endings, BOM and mode);
    files that cannot be written safely go to ``outcome.refused``. Returns the
    written paths."""
    from linter.output import write_atomic

    written = []
    for path in outcome.changed:
        if not inside(path, *([roots] if isinstance(roots, str) else roots)):
            outcome.refused[path] = OUTSIDE
            continue
        if path in outcome.created:
            if _create(outcome, path):
                written.append(path)
            continue
        try:
            info = os.stat(path)
            with open(path, "rb") as handle:
                text, bom, crlf, mixed = _as_read(handle.read())
        except (OSError, UnicodeDecodeError) as err:
            outcome.refused[path] = f"cannot read it again: {getattr(err, 'strerror', None) or err}"
            continue
        if text != outcome.before[path]:
            outcome.refused[path] = "it changed on disk while peerlint ran"
            continue
        if mixed:
            outcome.refused[path] = "it mixes CRLF and LF line breaks; make them one kind first"
            continue
        new = outcome.after[path]
        if crlf:
            new = new.replace("\n", "\r\n")
        data = (b"\xef\xbb\xbf" if bom else b"") + new.encode("utf-8")
        try:
            write_atomic(path, data)
            os.chmod(path, stat.S_IMODE(info.st_mode))
        except OSError as err:
            outcome.refused[path] = f"cannot write it: {err.strerror or err}"
            continue
        written.append(path)
    return written


def creatable(path: str, *roots: str) -> bool:
    """Whether a fix may create ``path``: nothing is there (not even a dangling link),
    its folder exists, and it is inside the project."""
    return not os.path.lexists(path) and os.path.isdir(os.path.dirname(path) or ".") and inside(path, *roots)


def read_by(path: str, config) -> bool:
    """Whether a run with ``config`` reads ``path`` (its include and exclude globs), so
    that a file a fix creates is linted next time (else the finding would stay and the
    next ``--fix`` would try again)."""
    from linter.discover import included

    rel = os.path.relpath(os.path.abspath(path), os.path.abspath(config.root)).replace(os.sep, "/")
    return not rel.startswith("../") and included(rel, list(config.include), list(config.exclude))


def _create(outcome: FixOutcome, path: str) -> bool:
    """Create a file a fix adds, never over one that appeared meanwhile."""
    from linter.output import create_new

    try:
        create_new(path, outcome.after[path].encode("utf-8"))
    except FileExistsError:
        outcome.refused[path] = "it exists now (a fix creates a file only where none is)"
        return False
    except OSError as err:
        outcome.refused[path] = f"cannot write it: {err.strerror or err}"
        return False
    return True


def summary(outcome: FixOutcome, written: Iterable[str] | None = None, unsafe: bool = False) -> str:
    """One line: how many findings were fixed (or would be) in how many files, and
    how many remain, with those whose fix was not applied and why."""
    files = list(written) if written is not None else outcome.changed
    verb = "Fixed" if written is not None else "Would fix"
    text = f"{verb} {outcome.fixed} finding(s) in {len(files)} file(s); {len(outcome.remaining)} remaining"
    with_edits = [f for f in outcome.remaining if applicable(f, True) is not None]
    barred = [f for f in with_edits if any(e.path in outcome.refused for e in f.fix.edits)]  # type: ignore[union-attr]
    held = [f for f in with_edits if f not in barred and not f.fix.safe and not unsafe]  # type: ignore[union-attr]
    pending = len(with_edits) - len(barred) - len(held)
    notes = []
    if held:
        notes.append(f"{len(held)} with an unsafe fix: --unsafe-fixes applies it")
    if barred:
        notes.append(f"{len(barred)} whose fix would change a file that is not written")
    if pending:
        notes.append(f"{pending} with a fix still pending after {MAX_ROUNDS} rounds")
    return text + (f" ({'; '.join(notes)})" if notes else "")


def relinter(config, rules: dict, select: Iterable[str] = (), ignore: Iterable[str] = ()):
    """A ``relint`` for :func:`fix_texts`: the same rules over texts held in memory."""
    from linter.engine import run_rules
    from linter.inmemory import project_from_texts

    def relint(texts: dict[str, str]) -> list[Finding]:
        return run_rules(project_from_texts(texts, config), rules, select, ignore)[0]

    return relint
