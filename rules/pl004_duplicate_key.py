"""PL004: a key written twice in one object."""

from __future__ import annotations

import json
from typing import Iterator

from linter.api import Document, Finding, Mapping, Rule, Scalar, Sequence, format_path


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
    reads = ("documents",)
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
- Go `encoding/json` (last duplicate wins); sigs.k8s.io/yaml (duplicate keys are errors)
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
                yield from self._check_doc(doc)

    def _check_doc(self, doc: Document) -> Iterator[Finding]:
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
                            fix=f"keep one {name!r}",
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
                            fix=f"remove one of the two {name!r} keys",
                        )
                seen.setdefault(name, key)
