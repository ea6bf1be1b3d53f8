"""PL102: a value of the wrong type (schema layer)."""

from __future__ import annotations

from typing import Iterator

from linter.api import Finding, Rule
from linter.api.schema import shape_findings


class InvalidType(Rule):
    code = "PL102"
    slug = "invalid-type"
    summary = "A value of a type the decoder cannot convert (a string for a list, a map for a string, ...)"
    severity = "error"
    reads = ("documents",)  # every document; those with a schema are checked (linter.schemacheck)
    scope = "cluster"  # tests/test_rule_scopes.py
    work_group = "schemacheck"  # shares the per-document schema check (linter.schemacheck): one process runs the group
    doc = """
## What it does
Flags a value whose type the decoder cannot convert to the field's type. It follows
each decoder's leniency: config entries are decoded with `WeaklyTypedInput` (the string
`"true"` for a bool, `"8080"` for a number, and a single block for a list are accepted
and not flagged); agent files only unwrap a one-element block list; Kubernetes custom
resources are typed strictly by their OpenAPI schema.

## Why is this bad?
Consul refuses the entry (`'Services[0].Consumers' expected type ...`), the agent does
not start, and the Kubernetes API server rejects the resource (`spec.peer.secret.name in
body must be of type string`).

**Assumes** the types Consul's decoders (and the consul chart) accept in the release
peerlint's schemas were generated from; the edition only changes which fields exist (see
PL101).

## References
- [Consul `agent/structs/config_entry.go`: `DecodeConfigEntry` (WeaklyTypedInput)](https://github.com/hashicorp/consul/blob/main/agent/structs/config_entry.go)
- [Consul `lib/decode/decode.go`: `HookWeakDecodeFromSlice`](https://github.com/hashicorp/consul/blob/main/lib/decode/decode.go)
- [Kubernetes: structural schema validation of custom resources](https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#specifying-a-structural-schema)
"""
    example = {
        "bad": {
            "exports.hcl": """\
Kind = "exported-services"
Name = "default"
Services = [{ Name = "web", Consumers = "dc2" }]
""",
        },
        "good": {
            "exports.hcl": """\
Kind = "exported-services"
Name = "default"
Services = [{ Name = "web", Consumers = [{ Peer = "dc2" }] }]
""",
        },
    }

    def check(self, project) -> Iterator[Finding]:
        yield from shape_findings(self, project, "type")
