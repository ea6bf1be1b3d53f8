"""The text report on a terminal: each finding starts with its own ``path:line:col``
(terminals and editors' terminals make that clickable, as they do ruff's), codes are
OSC 8 hyperlinks to their rule pages when colour is on, and every line is wrapped to
the terminal's width with its continuation lines indented.

Only for a terminal (``ReportInput.width``): a pipe or a file keeps the grouped layout
of :mod:`linter.report.text`, which tests and scripts read. The same fields in the
same order as that layout (location, severity, code, message; the excerpt, related
locations and fix indented under it), so the two read alike.
"""

from __future__ import annotations

import bisect
from typing import NamedTuple

from linter.api import Finding
from linter.report import ReportInput
from linter.report.textparts import SEVERITY_STYLE, _snippet, _summary
from linter.textsafe import escape_control as esc

#: Continuation lines of a finding's first line, and of its related and fix lines.
INDENT, DETAIL_INDENT = 4, 6
#: Never wrap narrower than this, however narrow the terminal says it is.
MIN_WIDTH = 40


class Seg(NamedTuple):
    """A run of text with one style (rich style string, "" for none) and link."""

    text: str
    style: str = ""
    link: str = ""


def _columns(text: str) -> list[int]:
    """Terminal columns taken by ``text[:i]`` for every ``i``: a wide (CJK) character
    takes two, a combining mark none."""
    import unicodedata

    out = [0]
    for ch in text:
        wide = 2 if unicodedata.east_asian_width(ch) in "WF" else 0 if unicodedata.combining(ch) else 1
        out.append(out[-1] + (1 if ch.isascii() else wide))
    return out


def break_lines(plain: str, width: int, indent: int) -> list[tuple[int, int]]:
    """Where ``plain`` wraps: (start, end) of each line, at spaces, each at most
    ``width`` terminal columns; continuation lines are ``indent`` narrower. A word
    longer than a line (a long path) is kept whole and runs over, so a path stays one
    clickable word."""
    cols = _columns(plain)
    out: list[tuple[int, int]] = []
    pos, n, avail = 0, len(plain), width
    while cols[n] - cols[pos] > avail:
        fits = bisect.bisect_right(cols, cols[pos] + avail) - 1  # plain[pos:fits] fits
        cut = plain.rfind(" ", pos + 1, fits + 1)
        if cut <= pos:
            cut = plain.find(" ", fits)
            if cut == -1:
                break
        end = cut
        while end > pos and plain[end - 1] == " ":
            end -= 1
        out.append((pos, end))
        pos = cut
        while pos < n and plain[pos] == " ":
            pos += 1
        avail = max(width - indent, 10)
    if pos < n or not out:
        out.append((pos, n))
    return out


def _slice(segs: list[Seg], start: int, end: int) -> list[Seg]:
    out, at = [], 0
    for seg in segs:
        lo, hi = max(start, at), min(end, at + len(seg.text))
        if lo < hi:
            out.append(Seg(seg.text[lo - at : hi - at], seg.style, seg.link))
        at += len(seg.text)
    return out


def wrap(segs: list[Seg], width: int, indent: int, keep: int = 0) -> list[list[Seg]]:
    """``segs`` as lines no wider than ``width``; continuation lines start with
    ``indent`` spaces; the first ``keep`` characters are never broken (a finding's
    location, severity and code stay on its first line)."""
    plain = "".join(seg.text for seg in segs)
    breakable = plain[:keep].replace(" ", "\0") + plain[keep:]
    lines = []
    for i, (start, end) in enumerate(break_lines(breakable, width, indent)):
        line = _slice(segs, start, end)
        lines.append(line if i == 0 else [Seg(" " * indent), *line])
    return lines


class _Out:
    """Lines of segments, written plain or with rich styles (and links)."""

    def __init__(self, data: ReportInput) -> None:
        self.width = max(data.width, MIN_WIDTH)
        self.color = data.color
        self.links = data.links and data.color
        self.lines: list[list[Seg]] = []

    def add(self, segs: list[Seg], indent: int = 0, wrapped: bool = True, keep: int = 0) -> None:
        self.lines.extend(wrap(segs, self.width, indent, keep) if wrapped else [segs])

    def text(self) -> str:
        if not self.color:
            return "".join("".join(seg.text for seg in line) + "\n" for line in self.lines)
        from rich.style import Style

        styles: dict[tuple[str, str], Style] = {}

        def render(seg: Seg) -> str:
            if not seg.style and not seg.link:
                return seg.text
            key = (seg.style, seg.link if self.links else "")
            if key not in styles:
                styles[key] = Style.parse(seg.style or "none") + Style(link=key[1] or None)
            return styles[key].render(seg.text)

        return "".join("".join(render(seg) for seg in line) + "\n" for line in self.lines)


def render_terminal(data: ReportInput) -> str:
    out = _Out(data)
    urls = {code: rule.help_uri() for code, rule in data.rules.items()}
    previous = None
    for f in data.findings:
        if previous is not None and f.path != previous:
            out.add([])  # a blank line between files: the grouping of the plain layout
        previous = f.path
        _finding(out, data, f, urls.get(f.code, ""))
    if data.findings:
        out.add([])
    out.add([Seg(_summary(data), "bold")])
    return out.text()


def _finding(out: _Out, data: ReportInput, f: Finding, url: str) -> None:
    style = SEVERITY_STYLE.get(f.severity, "bold")
    head = [
        Seg(esc(f.path), "bold"),
        Seg(f":{f.span.line}:{f.span.col}"),
        Seg("  "),
        Seg(f"{f.severity:<7}", style),
        Seg(" "),
        Seg(f.code, "bold", url),
    ]
    out.add([*head, Seg(f"  {esc(f.message)}")], INDENT, keep=sum(len(seg.text) for seg in head))
    width = len(str(f.span.line))
    room = out.width - (INDENT + width + 3) - 2  # the gutter, and the "…" marks of a cut
    for source, carets in _snippet(data.texts.get(f.path), f, max(room, MIN_WIDTH // 2)):
        out.add([Seg(f"    {f.span.line:>{width}} |", "dim"), Seg(f" {source}")], wrapped=False)
        out.add([Seg(f"    {'':>{width}} |", "dim"), Seg(" "), Seg(carets, style)], wrapped=False)
    for rel in f.related:
        where = f"{esc(rel.path)}:{rel.span.line}:{rel.span.col}"
        note = f" {esc(rel.message)}" if rel.message else ""
        out.add([Seg("    "), Seg("related:", "dim"), Seg(f" {where}"), Seg(note)], DETAIL_INDENT, keep=13 + len(where))
    if f.fix_text:
        out.add([Seg("    "), Seg("fix:", "green"), Seg(f" {esc(f.fix_text)}")], DETAIL_INDENT)
