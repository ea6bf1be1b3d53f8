"""PL104: a required field that is absent or empty (schema layer)."""

from __future__ import annotations

from typing import Iterator

from linter.api import Finding, Rule
from linter.api.schema import shape_findings


class MissingField(Rule):
    code = "PL104"
    slug = "missing-field"
    summary = "A required field is absent or empty (Sources[0].Name, a service's consumers, destination_name, spec.peer.secret, ...)"
    severity = "error"
    reads = ("documents",)  # every document; those with a schema are checked (linter.schemacheck)
    scope = "cluster"  # tests/test_rule_scopes.py
    work_group = "schemacheck"  # shares the per-document schema check (linter.schemacheck): one process runs the group
    doc = """
## What it does
Flags a field Consul or consul-k8s requires that is missing or empty: an exported
service without a name or without consumers, an intention without sources or a source
without a name, an intention source with neither `Action` nor `Permissions`, an upstream
without `destination_name`, a PeeringAcceptor/PeeringDialer without `spec.peer.secret`
or its `backend`, a service-splitter without splits, a service-router header or query
parameter without a name or a matcher. The finding points at the list element or the
key of the block that lacks the field.

Beyond the decoder's shape it reports a field Consul's `Validate()` requires wherever Consul, the agent's config
builder, the ACL rule parser or a consul-k8s webhook checks it after decoding (the
constraint layer, `linter/constraints/`), in their own words: service definitions,
config entries, agent files, ACL rules and custom resources, each family held to
cases transcribed from Consul's and consul-k8s's own Go tests (`tests/conformance/`;
the README's *Conformance with Consul's own tests* lists what is and is not checked).

## Why is this bad?
The write is refused (`Services[0]: must have at least one consumer`,
`Sources[0].Name is required`, `upstream destination name cannot be empty`,
`spec.peer.secret: Invalid value: null: secret must be specified`).

**Assumes** the required fields of the Consul release peerlint's schemas were generated
from, on any edition and ACL posture.

## References
- [Consul `agent/structs/config_entry_exports.go`: `ExportedServicesConfigEntry.Validate`](https://github.com/hashicorp/consul/blob/main/agent/structs/config_entry_exports.go)
- [Consul `agent/structs/config_entry_intentions.go`: `ServiceIntentionsConfigEntry.Validate`](https://github.com/hashicorp/consul/blob/main/agent/structs/config_entry_intentions.go)
- [consul-k8s `control-plane/api/v1alpha1/peeringacceptor_types.go`: `PeeringAcceptor.Validate`](https://github.com/hashicorp/consul-k8s/blob/main/control-plane/api/v1alpha1/peeringacceptor_types.go)
"""
    example = {
        "bad": {
            "exports.hcl": """\
Kind = "exported-services"
Name = "default"
Services = [{ Name = "web" }]
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
        yield from shape_findings(self, project, "missing")
