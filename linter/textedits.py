"""Text edits on file texts: building them in the syntax of the file, and applying them.

Plain functions on strings, below every stage: rules build a fix's :class:`Edit`\\ s
with the builders (through ``linter.api.fixes``), the fixer (:mod:`linter.fixing`),
the language server and the SARIF reporter apply or translate them. Texts are as
peerlint reads files (LF line breaks, no BOM); spans are 1-based code points, end
exclusive, like every :class:`~linter.nodes.Span`. A builder copies what it can from
the text it edits (quote style, indentation), so a fix changes only what it must.
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterable, Sequence

from linter.findings import Edit, Fix
from linter.nodes import Node, Span

_BARE = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")


def line_starts(text: str) -> list[int]:
    """The offset where each line of ``text`` starts (index 0 is line 1)."""
    starts = [0]
    find = text.find
    i = find("\n")
    while i >= 0:
        starts.append(i + 1)
        i = find("\n", i + 1)
    return starts


def offset(text: str, starts: Sequence[int], line: int, col: int) -> int:
    """The offset of (line, col) in ``text``, clamped to the text (a span may end one
    past the last line)."""
    if line > len(starts):
        return len(text)
    start = starts[line - 1]
    end = starts[line] - 1 if line < len(starts) else len(text)
    return min(start + max(col, 1) - 1, end)


def span_offsets(text: str, starts: Sequence[int], span: Span) -> tuple[int, int]:
    """(start, end) offsets of ``span``; an end at column 1 of the line after the last
    is the end of the text."""
    begin = offset(text, starts, span.line, span.col)
    end = offset(text, starts, span.end_line, span.end_col)
    return begin, max(begin, end)


def source_of(text: str, span: Span) -> str:
    """The text ``span`` covers."""
    starts = line_starts(text)
    begin, end = span_offsets(text, starts, span)
    return text[begin:end]


def line_of(text: str, line: int) -> str:
    """Line ``line`` (1-based) without its line break, or "" past the end."""
    lines = text.split("\n")
    return lines[line - 1] if 0 < line <= len(lines) else ""


def indent_of(text: str, line: int) -> str:
    """The whitespace a line starts with."""
    row = line_of(text, line)
    return row[: len(row) - len(row.lstrip(" \t"))]


def quoted_like(original: str, value: str, syntax: str) -> str:
    """``value`` written as a scalar the way ``original`` (the source of the scalar it
    replaces) was: double quotes, YAML single quotes, or bare when it was bare and
    ``value`` can stay bare."""
    if original.startswith('"'):
        return json.dumps(value)
    if original.startswith("'") and syntax == "yaml":
        return "'" + value.replace("'", "''") + "'"
    if syntax == "json":
        return json.dumps(value)
    return value if _BARE.match(value) else json.dumps(value)


def replace_scalar(path: str, text: str, node: Node, value: str, syntax: str) -> Edit:
    """Replace the scalar ``node`` (a key or a value) by ``value``, keeping its quoting."""
    return Edit(path, node.span, quoted_like(source_of(text, node.span), value, syntax))


def delete_lines(path: str, text: str, first: int, last: int) -> Edit:
    """Delete lines ``first``..``last`` whole (with their line break; at the end of a
    text without a final break, the break before them)."""
    count = text.count("\n") + 1
    if last < count:
        return Edit(path, Span(first, 1, last + 1, 1), "")
    if first > 1:
        previous = line_of(text, first - 1)
        return Edit(path, Span(first - 1, len(previous) + 1, last, len(line_of(text, last)) + 1), "")
    return Edit(path, Span(first, 1, last, len(line_of(text, last)) + 1), "")


def insert_lines(path: str, before: int, lines: Iterable[str]) -> Edit:
    """Insert whole lines before line ``before`` (each gets a line break)."""
    return Edit(path, Span(before, 1, before, 1), "".join(line + "\n" for line in lines))


def new_file(path: str, text: str) -> Edit:
    """Create the file ``path`` holding ``text``: applied only where no file is (the
    fixer never overwrites one); ``path`` is a display path like every edit's."""
    return Edit(path, Span(1, 1, 1, 1), text, create=True)


def _conflicts(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether two edits' ranges overlap; two insertions at one point conflict (their
    order would be a guess), an insertion strictly inside a replaced range too."""
    (s1, e1), (s2, e2) = a, b
    if s1 == s2:
        return True
    if max(s1, s2) < min(e1, e2):
        return True
    return (s1 == e1 and s2 < s1 < e2) or (s2 == e2 and s1 < s2 < e1)


def apply_fixes(texts: dict[str, str], fixes: Sequence[Fix]) -> tuple[dict[str, str], list[int]]:
    """Apply ``fixes`` to ``texts`` (path -> text) in order, each whole or not at all:
    a fix whose edits overlap an earlier accepted fix's, that touches a path not in
    ``texts``, or that creates a file ``texts`` already holds, is left for the next
    round (two fixes creating one file: the second, linted again, adds to the first's).
    Returns the changed texts (only those that changed; a created file is among them)
    and the indexes of the fixes applied."""
    starts = {path: line_starts(text) for path, text in texts.items()}
    taken: dict[str, list[tuple[int, int, str]]] = {}
    applied: list[int] = []
    for index, fix in enumerate(fixes):
        planned: list[tuple[str, int, int, str]] = []
        for edit in fix.edits:
            text = texts.get(edit.path)
            if edit.create:
                if text is not None:
                    planned = []
                    break
                planned.append((edit.path, 0, 0, edit.new_text))
                continue
            if text is None:
                planned = []
                break
            begin, end = span_offsets(text, starts[edit.path], edit.span)
            planned.append((edit.path, begin, end, edit.new_text))
        if not planned:
            continue
        clash = any(
            _conflicts((begin, end), (b2, e2))
            for i, (path, begin, end, _new) in enumerate(planned)
            for b2, e2, _ in taken.get(path, []) + [(p[1], p[2], "") for p in planned[:i] if p[0] == path]
        )
        if clash:
            continue
        for path, begin, end, new in planned:
            taken.setdefault(path, []).append((begin, end, new))
        applied.append(index)
    changed: dict[str, str] = {}
    for path, edits in taken.items():
        text = texts.get(path, "")
        out, last = [], 0
        for begin, end, new in sorted(edits, key=lambda e: (e[0], e[1])):
            out.append(text[last:begin])
            out.append(new)
            last = end
        out.append(text[last:])
        new_text = "".join(out)
        if new_text != text:
            changed[path] = new_text
    return changed, applied


def editable(texts: dict[str, str], doc: Any) -> str | None:
    """The text of ``doc``'s file when edits may be made in it: not for a document
    embedded in a string of another (an ACL policy's ``Rules``), whose spans are not
    the file's."""
    if getattr(doc, "parent", None) is not None:
        return None
    return texts.get(doc.path)


def scalar_edits(
    texts: dict[str, str], doc: Any, node: Node, value: str, expect: str | None = None
) -> tuple[Edit, ...]:
    """The edit replacing the scalar ``node`` of ``doc`` by ``value`` (quoted as it
    was), or none when the file is not editable or the node's source does not read
    ``expect`` (its value as the rule saw it: a node from inside a string, such as one
    part of an annotation, has a span that is not the whole scalar)."""
    text = editable(texts, doc)
    if text is None:
        return ()
    source = source_of(text, node.span)
    if expect is not None and source.strip("\"'").lower() != expect.lower():
        return ()
    return (Edit(doc.path, node.span, quoted_like(source, value, doc.syntax)),)
