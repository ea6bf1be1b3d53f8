"""Comments in raw source text, with their exact positions.

The node trees keep no comments (no parser we use reports them with positions), yet
suppression directives live in comments, so this module finds them in the text
itself: ``#`` and ``//`` in HCL (skipping strings, heredocs and ``/* */`` blocks),
``#`` in YAML (skipping quoted strings and block scalars). JSON has no comments.
Lines and columns are 1-based code points, like every :class:`~linter.nodes.Span`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

_HEREDOC = re.compile(r"<<-?\s*([A-Za-z_][A-Za-z0-9_-]*)\s*$")
_BLOCK_SCALAR = re.compile(r"(^|[:\-?]\s+|^\s*-\s+|^\s*)[|>][0-9+-]*\s*$")


@dataclass(frozen=True)
class Comment:
    """One line comment: ``body`` is the text after the marker (``#`` or ``//``)."""

    line: int
    col: int  # where the marker starts
    body: str
    body_col: int  # where ``body`` starts
    own_line: bool  # nothing but whitespace before it on its line


def comments(text: str, syntax: str) -> Iterator[Comment]:
    """Every line comment in ``text`` written in ``syntax`` (hcl, terraform, yaml or
    json): Terraform's HCL2 comments are HCL's (``#``, ``//``, ``/* */``, heredocs)."""
    if syntax in ("hcl", "terraform"):
        yield from _hcl_comments(text)
    elif syntax == "yaml":
        yield from _yaml_comments(text)


def _comment(line_no: int, line: str, start: int, marker: str) -> Comment:
    body_start = start + len(marker)
    return Comment(line_no, start + 1, line[body_start:], body_start + 1, not line[:start].strip())


def _hcl_comments(text: str) -> Iterator[Comment]:
    heredoc: str | None = None
    in_block = False
    for line_no, line in enumerate(text.split("\n"), 1):
        if heredoc is not None:
            if line.strip() == heredoc:
                heredoc = None
            continue
        i, in_string = 0, False
        while i < len(line):
            ch = line[i]
            if in_block:
                end = line.find("*/", i)
                if end < 0:
                    break
                in_block, i = False, end + 2
                continue
            if in_string:
                if ch == "\\":
                    i += 2
                    continue
                if ch == '"':
                    in_string = False
            elif ch == '"':
                in_string = True
            elif ch == "#":
                yield _comment(line_no, line, i, "#")
                break
            elif line.startswith("//", i):
                yield _comment(line_no, line, i, "//")
                break
            elif line.startswith("/*", i):
                in_block, i = True, i + 2
                continue
            elif line.startswith("<<", i):
                match = _HEREDOC.match(line, i)
                if match:
                    heredoc = match.group(1)
                    break
            i += 1


def _yaml_comments(text: str) -> Iterator[Comment]:
    block_indent: int | None = None  # inside a block scalar deeper than this
    for line_no, line in enumerate(text.split("\n"), 1):
        indent = len(line) - len(line.lstrip(" "))
        if block_indent is not None:
            if not line.strip() or indent > block_indent:
                continue
            block_indent = None
        quote: str | None = None
        code_end = len(line)
        i = 0
        while i < len(line):
            ch = line[i]
            if quote == '"':
                if ch == "\\":
                    i += 2
                    continue
                if ch == '"':
                    quote = None
            elif quote == "'":
                if ch == "'":
                    if line.startswith("''", i):
                        i += 2
                        continue
                    quote = None
            elif ch in "\"'" and (i == 0 or line[i - 1] in " \t[{,:-?"):
                quote = ch
            elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
                code_end = i
                yield _comment(line_no, line, i, "#")
                break
            i += 1
        if _BLOCK_SCALAR.search(line[:code_end].rstrip()):
            block_indent = indent
