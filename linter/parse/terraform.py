"""Terraform's HCL2 (``.tf``) to nodes, with every key and value at its exact place.

Why tree-sitter (``tree-sitter`` and the ``tree-sitter-hcl`` grammar wheel): its
concrete syntax tree keeps the byte range of every token and expression, and it is C
(benchmarks/terraform_parse.py: ~5x faster than python-hcl2's lark parser on the same
files, whose dictionaries also drop every position). Imported on first use only, so
``peerlint --version`` and repositories without ``.tf`` files never load it.

The tree, in the shapes every other parser makes (so the parse cache and the codec
carry it unchanged):

- a body is a :class:`Mapping`; ``name = expr`` is an entry (duplicates kept, in order);
- a block ``type "a" "b" { ... }`` is an entry ``type`` whose value nests one Mapping per
  label, the label's key node at the label: ``{a: {b: body}}``;
- literals are Scalars (strings quoted, spans include the quotes), objects Mappings,
  tuples Sequences; a heredoc is a quoted Scalar of its text whose span starts at the
  text itself (its first line, after the indentation ``<<-`` strips) so that a document
  parsed from it can be placed (:func:`heredoc_offset`);
- anything Terraform evaluates (a reference, a function call, a template with
  ``${}``, an operator, a ``for``) is an *expression*: a Mapping whose first key is
  ``$expr`` (its source text), with ``$call``/``$args`` for a function call and
  ``$ref`` for a plain reference (``consul_peering_token.x.peering_token``).
  :func:`expression` tells them apart; the model decides what it can evaluate
  (``jsonencode`` of a literal) and leaves the rest unknown.
"""

from __future__ import annotations

from typing import Any

from linter.nodes import Mapping, Node, Scalar, Sequence, Span, finish, make_span
from linter.parse.errors import MAX_DEPTH, ParseError

__all__ = ["EXPR", "expression", "heredoc_offset", "parse_terraform"]

EXPR = "$expr"
_PARSER: Any = None


def _parser() -> Any:
    global _PARSER
    if _PARSER is None:
        import tree_sitter
        import tree_sitter_hcl

        _PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_hcl.language()))
    return _PARSER


def expression(node: Node | None) -> Mapping | None:
    """The expression node ``node`` is (see the module docstring), or None for a literal."""
    if isinstance(node, Mapping) and node.entries and node.entries[0][0].value == EXPR:
        return node
    return None


def heredoc_offset(node: Scalar) -> tuple[int, int]:
    """(lines, columns) to add to a position inside a heredoc's text to place it in the
    ``.tf`` file: the text starts at ``node.span`` (the indentation ``<<-`` stripped is
    the column offset, the same on every line)."""
    return node.span.line - 1, node.span.col - 1


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unescape(raw: str) -> str:
    if "\\" not in raw and "$${" not in raw and "%%{" not in raw:
        return raw
    out: list[str] = []
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch == "\\" and i + 1 < len(raw):
            nxt = raw[i + 1]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                i += 2
                continue
            if nxt in "uU":
                width = 4 if nxt == "u" else 8
                try:
                    out.append(chr(int(raw[i + 2 : i + 2 + width], 16)))
                    i += 2 + width
                    continue
                except ValueError:
                    pass
        if raw.startswith("$${", i) or raw.startswith("%%{", i):
            out.append(raw[i + 1 : i + 3])
            i += 3
            continue
        out.append(ch)
        i += 1
    return "".join(out)


class _Builder:
    """One file's syntax tree to nodes (byte columns to character columns)."""

    def __init__(self, text: str, data: bytes) -> None:
        self.text = text
        self.data = data
        self.ascii = text.isascii()
        self.lines = data.split(b"\n") if not self.ascii else []

    def col(self, row: int, byte_col: int) -> int:
        if self.ascii or row >= len(self.lines):
            return byte_col + 1
        return len(self.lines[row][:byte_col].decode("utf-8", "replace")) + 1

    def span(self, ts: Any) -> Span:
        s, e = ts.start_point, ts.end_point
        return make_span(s[0] + 1, self.col(s[0], s[1]), e[0] + 1, self.col(e[0], e[1]))

    def src(self, ts: Any) -> str:
        return self.data[ts.start_byte : ts.end_byte].decode("utf-8", "replace")

    # bodies and blocks -------------------------------------------------------------
    def body(self, ts: Any | None, span: Span, depth: int) -> Mapping:
        if depth > MAX_DEPTH:
            raise ParseError("Terraform nesting is too deep to read", span.line, span.col, limit=True)
        entries: list[tuple[Scalar, Node]] = []
        for child in ts.named_children if ts is not None else ():
            if child.type == "attribute":
                name = child.named_children[0]
                value = child.named_children[-1]
                entries.append((Scalar(self.src(name), self.span(name)), self.expr(value, depth + 1)))
            elif child.type == "block":
                entries.append(self.block(child, depth + 1))
        return Mapping(entries, span)

    def block(self, ts: Any, depth: int) -> tuple[Scalar, Node]:
        kids = ts.named_children
        key = Scalar(self.src(kids[0]), self.span(kids[0]))
        labels = [k for k in kids[1:] if k.type in ("string_lit", "identifier")]
        inner = next((k for k in kids if k.type == "body"), None)
        value: Node = self.body(inner, self.span(ts), depth + 1)
        for label in reversed(labels):
            if label.type == "string_lit":
                lit = next((k for k in label.named_children if k.type == "template_literal"), None)
                name = _unescape(self.src(lit)) if lit is not None else ""
                label_key = Scalar(name, self.span(label), True)
            else:
                label_key = Scalar(self.src(label), self.span(label))
            value = Mapping([(label_key, value)], self.span(ts))
        return key, value

    # expressions -------------------------------------------------------------------
    def expr(self, ts: Any, depth: int) -> Node:
        if depth > MAX_DEPTH:
            span = self.span(ts)
            raise ParseError("Terraform nesting is too deep to read", span.line, span.col, limit=True)
        while ts.type in ("expression", "literal_value", "collection_value", "template_expr") and (
            ts.named_child_count == 1
        ):
            ts = ts.named_children[0]
        kind = ts.type
        span = self.span(ts)
        if kind == "string_lit":
            parts = ts.named_children
            if all(p.type in ("quoted_template_start", "quoted_template_end", "template_literal") for p in parts):
                raw = "".join(self.src(p) for p in parts if p.type == "template_literal")
                return Scalar(_unescape(raw), span, True)
        elif kind == "numeric_lit":
            return Scalar(_number(self.src(ts)), span)
        elif kind == "bool_lit":
            return Scalar(self.src(ts) == "true", span)
        elif kind == "null_lit":
            return Scalar(None, span)
        elif kind == "object":
            return self.object(ts, span, depth)
        elif kind == "tuple":
            return Sequence([self.expr(k, depth + 1) for k in ts.named_children if k.type == "expression"], span)
        elif kind == "heredoc_template":
            literal = self.heredoc(ts, span)
            if literal is not None:
                return literal
        elif kind == "function_call":
            name = ts.named_children[0]
            args_ts = next((k for k in ts.named_children if k.type == "function_arguments"), None)
            args = (
                [self.expr(k, depth + 1) for k in args_ts.named_children if k.type == "expression"] if args_ts else []
            )
            return self.expression_node(
                ts, span, ("$call", Scalar(self.src(name), self.span(name))), ("$args", Sequence(args, span))
            )
        if kind == "variable_expr":
            return self.expression_node(ts, span, ("$ref", Scalar(self.src(ts), span, True)))
        if kind == "expression" and ts.named_children and ts.named_children[0].type == "variable_expr":
            if all(k.type in ("variable_expr", "get_attr") for k in ts.named_children):
                return self.expression_node(ts, span, ("$ref", Scalar(self.src(ts).replace(" ", ""), span, True)))
        return self.expression_node(ts, span)

    def expression_node(self, ts: Any, span: Span, *extra: tuple[str, Node]) -> Mapping:
        entries = [(Scalar(EXPR, span), Scalar(self.src(ts), span, True))]
        entries.extend((Scalar(name, span), node) for name, node in extra)
        return Mapping(entries, span)

    def object(self, ts: Any, span: Span, depth: int) -> Node:
        entries: list[tuple[Scalar, Node]] = []
        for elem in ts.named_children:
            if elem.type != "object_elem":
                continue
            key_ts, value_ts = elem.named_children[0], elem.named_children[-1]
            key_node = self.expr(key_ts, depth + 1)
            ref = expression(key_node)
            if ref is not None and ref.get("$ref") is not None and "." not in str(ref.value("$ref")):
                key = Scalar(ref.value("$ref"), key_node.span)  # a bare word: the key's own name
            elif isinstance(key_node, Scalar) and isinstance(key_node.value, str):
                key = key_node
            else:
                return self.expression_node(ts, span)  # a computed key: the object is unknown
            entries.append((key, self.expr(value_ts, depth + 1)))
        return Mapping(entries, span)

    def heredoc(self, ts: Any, span: Span) -> Scalar | None:
        kids = ts.named_children
        start = next((k for k in kids if k.type == "heredoc_start"), None)
        idents = [k for k in kids if k.type == "heredoc_identifier"]
        if any(k.type not in ("heredoc_start", "heredoc_identifier", "template_literal") for k in kids):
            return None  # interpolation or directives inside: Terraform evaluates it
        if start is None or len(idents) < 2:
            return None
        first = idents[0].end_point[0] + 1  # 0-based row of the text's first line
        last = idents[-1].start_point[0]  # 0-based row of the closing marker
        lines = self.text.split("\n")[first:last]
        indent = 0
        if self.src(start).startswith("<<-"):
            widths = [len(line) - len(line.lstrip(" \t")) for line in lines if line.strip()]
            indent = min(widths) if widths else 0
            lines = [line[indent:] for line in lines]
        body = "".join(line + "\n" for line in lines)
        return Scalar(body, make_span(first + 1, indent + 1, span.end_line, span.end_col), True)


def _number(raw: str) -> int | float:
    try:
        return int(raw)
    except ValueError:
        try:
            return float(raw)
        except ValueError:
            return 0


def _first_error(ts: Any) -> Any | None:
    stack = [ts]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            return node
        if node.has_error:
            stack.extend(reversed(node.children))
    return None


def parse_terraform(text: str) -> Node:
    """One ``.tf`` file (raises :class:`ParseError` for a file Terraform would reject)."""
    data = text.encode("utf-8", "surrogatepass")
    tree = _parser().parse(data)
    builder = _Builder(text, data)
    root = tree.root_node
    if root.has_error:
        bad = _first_error(root)
        where = builder.span(bad) if bad is not None else Span.point(1, 1)
        what = "missing " + bad.type if bad is not None and bad.is_missing else "unexpected syntax"
        raise ParseError(f"invalid Terraform HCL: {what}", where.line, where.col)
    lines = text.split("\n")
    span = make_span(1, 1, len(lines), len(lines[-1]) + 1)
    body = next((k for k in root.named_children if k.type == "body"), None)
    return finish(builder.body(body, span, 0))
