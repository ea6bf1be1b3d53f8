"""A ``helm_release`` of the consul chart as Helm values: its ``set`` blocks (and the
helm provider v3 ``set = [{...}]`` list), literal ``yamlencode({...})`` and heredoc
YAML in ``values``, each key and value at its place in the ``.tf`` file; the files
``values = [file("${path.module}/values.yaml")]`` names are recorded on the document
(``extra["helm_files"]``) so that they join the release's cluster.

A ``set`` value is read as Helm's ``--set`` reads it (``true``/``false`` as booleans,
integers as numbers) unless ``type = "string"``; a name with an escaped dot, a list
index or a value only Terraform knows leaves the whole release unknown.
"""

from __future__ import annotations

import os
import re

from linter.model.tfvalues import Resolver, Skip, Unknown, block_bodies, literal, resource_attr
from linter.nodes import Mapping, Node, Scalar, Sequence, Span

__all__ = ["helm_values"]

_FILE_ARG = re.compile(r'^"(?:\$\{path\.(?:module|root)\}/)?([^"${}]+)"$')


def _set_value(raw: Node, kind: str | None) -> Node:
    if not isinstance(raw, Scalar):
        return raw
    value = raw.value
    if kind != "string" and isinstance(value, str):
        if value in ("true", "false"):
            return Scalar(value == "true", raw.span)
        if re.fullmatch(r"-?[0-9]+", value):
            return Scalar(int(value), raw.span)
    return raw


def _put(root: Mapping, name: Scalar, value: Node) -> None:
    """``a.b.c = value`` into nested mappings, every key at the ``name`` string."""
    text = str(name.value)
    if "\\" in text or "[" in text or not text:
        raise Skip(f"set name {text!r} (escapes or list indexes) is not read")
    parts = text.split(".")
    node = root
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, Mapping):
            child = Mapping([], name.span)
            node.entries.append((Scalar(part, name.span), child))
            node._index = None
        node = child
    node.entries = [(k, v) for k, v in node.entries if k.value != parts[-1]]
    node.entries.append((Scalar(parts[-1], name.span), value))
    node._index = None


def _sets(resolve: Resolver, body: Mapping, root: Mapping) -> None:
    items: list[Mapping] = block_bodies(body, "set")
    listed = resource_attr(body, "set")
    if listed is not None and not items:
        got = literal(listed[1], resolve)
        if isinstance(got, Unknown) or not isinstance(got, Sequence):
            raise Skip(f"set: {got.why if isinstance(got, Unknown) else 'not a list'}")
        items = [item for item in got.items if isinstance(item, Mapping)]
    for item in items:
        name, value = literal(item.get("name"), resolve), literal(item.get("value"), resolve)
        for got in (name, value):
            if isinstance(got, Unknown):
                raise Skip(f"set: {got.why}")
        kind = item.value("type")
        assert isinstance(name, Scalar) and isinstance(value, Node)
        _put(root, name, _set_value(value, kind if isinstance(kind, str) else None))


def _merge(into: Mapping, other: Mapping) -> None:
    for key, value in other.entries:
        mine = into.get(str(key.value))
        if isinstance(mine, Mapping) and isinstance(value, Mapping):
            _merge(mine, value)
            continue
        into.entries = [(k, v) for k, v in into.entries if k.value != key.value]
        into.entries.append((key, value))
        into._index = None


def _values(resolve: Resolver, module: str, body: Mapping, root: Mapping, text: str) -> list[str]:
    from linter.parse.terraform import expression

    found = resource_attr(body, "values")
    if found is None:
        return []
    files: list[str] = []
    items = found[1].items if isinstance(found[1], Sequence) else None
    if items is None:
        raise Skip("values is not a list")
    for item in items:
        expr = expression(item)
        args = expr.get("$args") if expr is not None else None
        if expr is not None and expr.value("$call") == "file" and isinstance(args, Sequence) and len(args.items) == 1:
            arg = args.items[0]
            source = str(expression(arg).value("$expr")) if expression(arg) is not None else None
            if isinstance(arg, Scalar) and isinstance(arg.value, str):
                files.append(os.path.normpath(os.path.join(module, arg.value)))
                continue
            match = _FILE_ARG.match(source or "")
            if match is None:
                raise Skip(f"values: {source} names a file only Terraform knows")
            files.append(os.path.normpath(os.path.join(module, match.group(1))))
            continue
        got = literal(item, resolve)
        if isinstance(got, Scalar) and isinstance(got.value, str):
            got = _yaml(got, text)
        if isinstance(got, Unknown):
            raise Skip(f"values: {got.why}")
        if not isinstance(got, Mapping):
            raise Skip("values: an item is not a mapping")
        _merge(root, got)
    return files


def _yaml(node: Scalar, text: str) -> Node | Unknown:
    """The YAML a string in ``values`` holds, placed in the file."""
    from linter.model.embedded import place_in_string
    from linter.nodes import walk
    from linter.parse import ParseError
    from linter.parse.terraform import heredoc_offset
    from linter.parse.yamlparse import parse_yaml

    try:
        docs = parse_yaml(node.value)
    except ParseError as err:
        return Unknown(f"not valid YAML ({err.message})")
    if len(docs) != 1:
        return Unknown("not one YAML document")
    if node.span.line == node.span.end_line:  # a one-line string: through its escapes
        return place_in_string(docs[0], node, text)
    lines, cols = heredoc_offset(node)
    for sub in walk(docs[0]):
        s = sub.span
        sub.span = Span(s.line + lines, s.col + cols, s.end_line + lines, s.end_col + cols)
    return docs[0]


def helm_values(body: Mapping, resolve: Resolver, module: str, text: str = "") -> tuple[Mapping, list[str]]:
    """The values a consul ``helm_release`` sets itself (an empty mapping: none) and
    the files (absolute paths) it names, in order."""
    root = Mapping([], body.span)
    files = _values(resolve, module, body, root, text)
    _sets(resolve, body, root)
    return root, files
