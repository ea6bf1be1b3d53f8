"""PL004: a key written twice in one object."""

from __future__ import annotations

import json
from typing import Iterator

from linter.api import Document, Edit, Finding, Fix, Mapping, Rule, Scalar, Sequence, format_path
from linter.api.fixes import delete_lines, line_of


def _shown(value) -> str:
    if isinstance(value, Scalar):
        text = json.dumps(value.value)
        return text if len(text) <= 40 else text[:37] + '..."'
    return "the later block" if isinstance(value, Mapping) else "the later list"


class DuplicateKey(Rule):
    code = "PL004"
    slug = "duplicate-key"
    summary = "A key is set twice in one object; only one value takes effect"
    severity = "warning"
    reads = ("documents", "texts")
    scope = "file"  # tests/test_rule_scopes.py
    fix = "sometimes"  # an exact copy on a line of its own is removed
    doc = """
## What it does
Flags a key that appears twice in the same object, at the second occurrence, and says
which value wins: Consul's JSON and HCL decoders keep the **last** value; `kubectl`
and Helm refuse a YAML mapping with a repeated key (`key "x" already set in map`), so
in YAML this is an error.

## Why is this bad?
The first value is silently dropped (JSON, HCL), or the whole manifest is refused
(YAML). Either way the file does not say what its author thinks it says.

**Assumes** nothing about the cluster: the decoders of HCL, JSON and YAML keep one value
of a repeated key whatever the edition, ACL posture or version.

## References
- [Go `encoding/json` (the last duplicate key wins)](https://pkg.go.dev/encoding/json)
- [`sigs.k8s.io/yaml` (duplicate keys are errors)](https://pkg.go.dev/sigs.k8s.io/yaml)
"""
    example = {
        "bad": {
            "mesh.json": """\
{"Kind": "mesh", "Peering": {"PeerThroughMeshGateways": true, "PeerThroughMeshGateways": false}}
""",
        },
        "good": {
            "mesh.json": """\
{"Kind": "mesh", "Peering": {"PeerThroughMeshGateways": true}}
""",
        },
    }

    def check(self, project) -> Iterator[Finding]:
        for doc in project.documents:
            if doc.parent is None:
                yield from self._check_doc(doc, project.texts.get(doc.path))

    def _check_doc(self, doc: Document, text: str | None) -> Iterator[Finding]:
        stack = [doc.root]
        while stack:
            node = stack.pop()
            if isinstance(node, Sequence):
                stack.extend(node.items)
                continue
            if not isinstance(node, Mapping):
                continue
            entries = node.entries
            stack.extend(value for _key, value in entries)
            if len(entries) < 2 or len({str(key.value) for key, _value in entries}) == len(entries):
                continue  # no key repeated (nearly every mapping): nothing more to look at
            seen: dict[str, Scalar] = {}
            for key, value in entries:
                name = str(key.value)
                if name in seen and not (doc.syntax == "hcl" and isinstance(value, Mapping)):
                    first = seen[name]
                    where = format_path(key.path)
                    if doc.syntax == "yaml":
                        yield self.report(
                            doc.at(key),
                            f'key "{name}" already set in map (line {first.span.line}); kubectl and Helm refuse this document',
                            related=[(doc.at(first), "first set here")],
                            fix=Fix(f"keep one {name!r}", _drop_copy(doc, text, first, key)),
                            severity="error",
                        )
                    else:
                        winner = node.entries[max(i for i, (k, _v) in enumerate(node.entries) if str(k.value) == name)][
                            1
                        ]
                        yield self.report(
                            doc.at(key),
                            f"{where} is set twice; Consul uses the last value, {_shown(winner)}",
                            related=[(doc.at(first), "first set here; ignored")],
                            fix=Fix(f"remove one of the two {name!r} keys", _drop_copy(doc, text, first, key)),
                        )
                seen.setdefault(name, key)


def _entry_line(text: str, key: Scalar) -> tuple[str, str] | None:
    """(the entry's source, what follows it on its line) when the entry ``key = scalar``
    fills its line alone (only blanks before it; a comma or a comment after it)."""
    value = next((v for k, v in getattr(key.parent, "entries", ()) if k is key), None)
    if not isinstance(value, Scalar) or not (key.span.line == value.span.line == value.span.end_line):
        return None
    row = line_of(text, key.span.line)
    if row[: key.span.col - 1].strip():
        return None  # something before it ("- key: v" starts a list item)
    after = row[value.span.end_col - 1 :].strip()
    rest = after[1:].strip() if after.startswith(",") else after
    if rest and not rest.startswith(("#", "//")):
        return None
    return row[key.span.col - 1 : value.span.end_col - 1], after


def _drop_copy(doc: Document, text: str | None, first: Scalar, second: Scalar) -> tuple[Edit, ...]:
    """Delete the line of one of two entries that are exact copies (same key, same
    value as written), each alone on its line; in JSON the one followed by a comma, so
    the object stays valid."""
    if text is None:
        return ()
    a, b = _entry_line(text, first), _entry_line(text, second)
    if a is None or b is None or a[0] != b[0]:
        return ()
    drop = second
    if doc.syntax == "json":
        if b[1].startswith(","):
            drop = second
        elif a[1].startswith(","):
            drop = first
        else:
            return ()
    return (delete_lines(doc.path, text, drop.span.line, drop.span.line),)
