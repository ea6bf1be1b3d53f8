"""The text report and the progress display on a terminal (issue #19), through the real
CLI on a pseudo-terminal: each finding starts with a clickable ``path:line:col``, codes
link to their rule pages (OSC 8) only on a terminal with colour, lines wrap to the
terminal's width with continuation lines indented; a pipe keeps the grouped layout."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from helpers import REPO
from ptys import peerlint, plain

from linter.report.terminal import break_lines

EXAMPLES = os.path.join(REPO, "examples")
HEAD = re.compile(r"^(\S+):(\d+):(\d+)  (error|warning|note) +(PL\d{3})(  \S|$)")
#: The examples' findings, as the grouped layout of a pipe shows them.
EXPECTED = [
    ("east/services/reports.hcl", "11:32", "PL403"),
    ("south/crds/service-defaults-checkout.yaml", "13:17", "PL303"),
    ("terraform/ledger.tf", "11:31", "PL401"),
    ("west/crds/exported-services.yaml", "10:17", "PL401"),
]


def _report_lines(text: str) -> list[str]:
    """The report's lines (stderr's notes, on the same terminal, left out)."""
    return [line for line in plain(text).split("\n") if not line.startswith("peerlint: ")]


@pytest.mark.parametrize("columns", [80, 50])
def test_each_finding_starts_with_its_location_and_lines_fit_the_terminal(columns) -> None:
    run = peerlint("check", ".", "--no-cache", cwd=EXAMPLES, columns=columns)
    assert run.returncode == 1
    lines = _report_lines(run.terminal)
    heads = [HEAD.match(line) for line in lines]
    assert [(m.group(1), f"{m.group(2)}:{m.group(3)}", m.group(5)) for m in heads if m] == EXPECTED
    for line, head in zip(lines, heads):
        # location, severity and code stay together: they alone may run over
        assert len(line) <= columns or (head and line.endswith(head.group(5))), line
        if line and not head and not line.startswith("Found "):
            assert line.startswith("    "), f"a continuation or detail line is indented: {line!r}"
    assert sum(1 for line in lines if line.startswith("    related: ")) == 3
    assert lines.count("") >= 4  # a blank line between files, and before the summary
    assert any(line.startswith("Found 4 problem(s)") for line in lines)


def test_codes_link_to_their_rule_pages_on_a_terminal() -> None:
    run = peerlint("check", ".", "--no-cache", cwd=EXAMPLES)
    links = re.findall(r"\x1b\]8;[^;]*;([^\x1b]+)\x1b\\\S*?(PL\d{3})", run.terminal)
    assert [(url.rsplit("/", 1)[1].split("-")[0], code) for url, code in links] == [
        (code, code) for _p, _l, code in EXPECTED
    ]
    assert all(url.endswith(".md") and "/docs/rules/" in url for url, _code in links)


@pytest.mark.parametrize("env", [{"FORCE_HYPERLINK": "0"}, {"TERM": "linux"}])
def test_no_links_where_the_user_or_the_terminal_says_so(env) -> None:
    run = peerlint("check", ".", "--no-cache", cwd=EXAMPLES, env=env)
    assert "\x1b[" in run.terminal and "\x1b]8;" not in run.terminal  # colour, no links


@pytest.mark.parametrize("flag", [["--color", "never"], ["--no-color"]])
def test_no_escape_at_all_with_colour_off_on_a_terminal(flag) -> None:
    run = peerlint("check", ".", "--no-cache", *flag, cwd=EXAMPLES, columns=70)
    assert "\x1b" not in run.terminal
    lines = _report_lines(run.terminal)
    assert len([line for line in lines if HEAD.match(line)]) == 4
    assert max(len(line) for line in lines) <= 70


def test_a_pipe_keeps_the_grouped_layout_without_links() -> None:
    run = peerlint("check", ".", "--no-cache", cwd=EXAMPLES, stdout_tty=False)
    lines = run.stdout.split("\n")
    assert lines[0] == "east/services/reports.hcl"
    assert lines[1].startswith("  11:32  error   PL403  upstream inventory of reports names no peer, so Consul")
    assert lines[1].endswith("which exports it to this cluster")  # one line, however wide the terminal
    colored = subprocess.run(
        [sys.executable, "-m", "linter", "check", ".", "--no-cache"],
        cwd=EXAMPLES,
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ, FORCE_COLOR="1", PYTHONPATH=REPO),
    )
    assert "\x1b[" in colored.stdout and "\x1b]8;" not in colored.stdout  # colour in a CI log, never links


@pytest.mark.parametrize(
    "text,width,indent",
    [
        ("a " * 60, 30, 4),
        ("word " * 3 + "x" * 50 + " tail words here", 30, 4),  # a long word runs over, whole
        ("short", 30, 4),
        ("名前 " * 20, 30, 4),  # wide characters take two columns each
        ("", 30, 4),
    ],
)
def test_break_lines_fits_the_width_and_keeps_words_whole(text, width, indent) -> None:
    spans = break_lines(text, width, indent)
    pieces = [text[a:b] for a, b in spans]
    assert " ".join(pieces).split() == text.split()  # nothing lost, no word cut
    for i, piece in enumerate(pieces):
        room = width if i == 0 else width - indent
        columns = sum(2 if "\u4e00" <= ch <= "\u9fff" else 1 for ch in piece)
        assert columns <= room or " " not in piece.strip(), piece


# the progress display ----------------------------------------------------------------
SHOWN = {"PEERLINT_PROGRESS_DELAY": "0"}  # shown at once: no run has to be slow


def test_progress_shows_each_stage_on_stderr_then_is_erased_before_the_report() -> None:
    run = peerlint("check", ".", "--no-cache", cwd=EXAMPLES, env=SHOWN)
    assert run.returncode == 1
    spinner, _, report = run.terminal.rpartition("\x1b[?25h")  # rich shows the cursor again when it stops
    # the stage shown is whichever runs at a frame: the test never depends on timing
    assert re.search(r"peerlint: (finding files|parsing 30 files|building the|running \d+ rules) \(\d+ s\)", spinner)
    assert report.lstrip("\r").startswith("\x1b[1A\x1b[2K")  # the spinner's line erased
    assert "peerlint: parsing" not in report and "running" not in report
    heads = [HEAD.match(line) for line in _report_lines(report.lstrip("\r"))]
    assert [m.group(5) for m in heads if m] == [code for _p, _l, code in EXPECTED]


@pytest.mark.parametrize(
    "args,tty",
    [
        (["-f", "json"], {}),  # another format
        (["--output-format", "sarif"], {}),  # stdout holds SARIF: not text
        (["--color", "never"], {}),
        ([], {"stderr_tty": False}),  # progress goes to stderr: not a terminal
        ([], {"stdout_tty": False}),  # the report is piped
    ],
)
def test_no_progress_unless_text_goes_to_a_terminal(args, tty) -> None:
    run = peerlint("check", ".", "--no-cache", *args, cwd=EXAMPLES, env=SHOWN, **tty)
    for stream in (run.terminal, run.stderr):
        assert " s)" not in stream and "\x1b[?25l" not in stream


def test_a_run_shorter_than_the_delay_shows_no_progress() -> None:
    run = peerlint("check", ".", "--no-cache", cwd=EXAMPLES, env={"PEERLINT_PROGRESS_DELAY": "3600"})
    assert run.returncode == 1 and " s)" not in run.terminal and "\x1b[?25l" not in run.terminal
