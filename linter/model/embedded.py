"""Documents held in a string (an ACL policy's ``Rules``, a Terraform ``config_json``
or Helm ``values`` string): the nodes parsed from the string's text placed back in the
file, through the string literal's escapes (a one-line JSON-style string) or, for a
heredoc, line by line. When the literal cannot be located, every node gets the string's
own span: never a wrong position.
"""

from __future__ import annotations

from linter.nodes import Node, Scalar, Span, walk

__all__ = ["place_in_string"]


def place_in_string(tree: Node, node: Scalar, source: str) -> Node:
    """``tree`` (parsed from ``node.value``) with every span mapped into the file."""
    body = node.value
    offsets = _literal_offsets(node, source) or _heredoc_offsets(node, source)
    starts = [0] + [i + 1 for i, ch in enumerate(body) if ch == "\n"]
    for sub in walk(tree):
        sub.span = _map_span(sub.span, starts, offsets, node.span)
    return tree


def _literal_offsets(node: Scalar, source: str) -> list[tuple[int, int]] | None:
    """For each character of the decoded string, its (line, col) in the file; None
    when the source literal is not a one-line JSON string that decodes to the value."""
    span = node.span
    if not source or span.line != span.end_line:
        return None
    lines = source.split("\n")
    if span.line > len(lines):
        return None
    raw = lines[span.line - 1][span.col - 1 : span.end_col - 1]
    if len(raw) < 2 or raw[0] != '"' or raw[-1] != '"':
        return None
    out: list[tuple[int, int]] = []
    i, decoded = 1, []
    simple = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
    while i < len(raw) - 1:
        col = span.col + i
        if raw[i] == "\\" and i + 1 < len(raw) - 1:
            esc = raw[i + 1]
            if esc in simple:
                decoded.append(simple[esc])
                i += 2
            elif esc == "u" and i + 6 <= len(raw) - 1:
                try:
                    decoded.append(chr(int(raw[i + 2 : i + 6], 16)))
                except ValueError:
                    return None
                i += 6
            else:
                return None
        else:
            decoded.append(raw[i])
            i += 1
        out.append((span.line, col))
    out.append((span.line, span.col + len(raw) - 1))  # one past the end: the closing quote
    return out if "".join(decoded) == node.value else None


def _heredoc_offsets(node: Scalar, source: str) -> list[tuple[int, int]] | None:
    """For each character of a heredoc's text (a Terraform ``rules = <<-EOT``, whose
    span starts at the text itself, after the indentation ``<<-`` strips), its (line,
    col) in the file; None when the file does not hold the text there line by line."""
    span = node.span
    if not source or span.line == span.end_line:
        return None
    lines = source.split("\n")
    body = node.value.split("\n")
    out: list[tuple[int, int]] = []
    for i, part in enumerate(body):
        number = span.line + i
        if number > len(lines) or (part and lines[number - 1][span.col - 1 : span.col - 1 + len(part)] != part):
            return None
        out.extend((number, span.col + j) for j in range(len(part) + 1))  # + the line break
    return out


def _map_span(inner: Span, starts: list[int], offsets: list[tuple[int, int]] | None, outer: Span) -> Span:
    if offsets is None:
        return outer

    def at(line: int, col: int) -> tuple[int, int]:
        index = (starts[line - 1] if 0 < line <= len(starts) else 0) + col - 1
        return offsets[max(0, min(index, len(offsets) - 1))]

    line, col = at(inner.line, inner.col)
    end_line, end_col = at(inner.end_line, inner.end_col)
    if (end_line, end_col) <= (line, col):
        end_line, end_col = line, col + 1
    return Span(line, col, end_line, end_col)
