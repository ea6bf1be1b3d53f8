"""Every rule's fixture folders: tests/fixtures/<CODE>/<case>/ holds the input files
(and a peerlint.toml when the case needs one) and ``expected.txt``, the whole of every
finding of that rule, in report order::

    path:line:col-endline:endcol CODE severity ~ message
      related: path:line:col-endline:endcol ~ note
      fix: the fix text

The first line is the finding and its whole message; then one indented ``related:``
line per related location, in order (without `` ~ note`` when the location has no
note), and a ``fix:`` line when the finding has a fix. A line break inside a message,
note or fix is written ``\\n``. Lines starting with ``#`` are comments. The test
compares every line exactly: a different message, a missing, extra or changed
related location or fix fails, with a diff. A case with no expected.txt must produce
no finding of that rule.

Set PEERLINT_REGEN=1 to rewrite expected.txt from the current output (then review it).
"""

from __future__ import annotations

import difflib
import os

import pytest
from helpers import FIXTURES, all_rules, finding_lines, lint, read_expected

CASES = sorted(
    (code, case)
    for code in os.listdir(FIXTURES)
    for case in os.listdir(os.path.join(FIXTURES, code))
    if os.path.isdir(os.path.join(FIXTURES, code, case))
)


@pytest.mark.parametrize("code,case", CASES, ids=[f"{c}/{k}" for c, k in CASES])
def test_fixture(code: str, case: str) -> None:
    folder = os.path.join(FIXTURES, code, case)
    result = lint(folder, select=[code])
    got = [line for f in result.findings if f.code == code for line in finding_lines(f)]
    expected_file = os.path.join(folder, "expected.txt")
    if os.environ.get("PEERLINT_REGEN"):
        if got:
            with open(expected_file, "w", encoding="utf-8") as handle:
                handle.write("\n".join(got) + "\n")
        elif os.path.exists(expected_file):
            os.unlink(expected_file)
        return
    expected = read_expected(expected_file)
    if got != expected:
        diff = difflib.unified_diff(expected, got, f"{code}/{case}/expected.txt", "peerlint output", lineterm="")
        pytest.fail(
            "findings differ from expected.txt (PEERLINT_REGEN=1 rewrites it; review the diff):\n" + "\n".join(diff),
            pytrace=False,
        )


def test_every_rule_has_a_failing_fixture() -> None:
    """A rule is only tested if some fixture expects it to fire."""
    missing = []
    for code in all_rules():
        folder = os.path.join(FIXTURES, code)
        cases = os.listdir(folder) if os.path.isdir(folder) else []
        if not any(read_expected(os.path.join(folder, c, "expected.txt")) for c in cases):
            missing.append(code)
    assert not missing, f"rules without a failing fixture: {missing}"


def test_fixtures_fail_without_their_rule() -> None:
    """Removing a rule must break its fixtures: nothing else produces its findings."""
    rules = all_rules()
    for code, case in CASES:
        folder = os.path.join(FIXTURES, code, case)
        if not read_expected(os.path.join(folder, "expected.txt")):
            continue
        without = {c: r for c, r in rules.items() if c != code}
        result = lint(folder, rules=without)
        assert not [f for f in result.findings if f.code == code], f"{code}/{case}"
