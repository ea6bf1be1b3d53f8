"""PL103: a value outside its allowed set (schema layer)."""

from __future__ import annotations

from typing import Iterator

from linter.api import Finding, Rule
from linter.api.schema import shape_findings


class InvalidValue(Rule):
    code = "PL103"
    slug = "invalid-value"
    summary = "A value outside its allowed set: intention Action, mesh gateway mode, secret backend, proxy mode, ACL access level, ..."
    severity = "error"
    reads = ("documents", "texts")  # every document; those with a schema are checked (linter.schemacheck)
    scope = "cluster"  # tests/test_rule_scopes.py
    fix = "sometimes"  # a did-you-mean with one answer / one close enum value
    work_group = "schemacheck"  # shares the per-document schema check (linter.schemacheck): one process runs the group
    doc = """
## What it does
Flags an enumerated value that Consul or consul-k8s refuses: intention `Action`
(`allow`/`deny`), `MutualTLSMode`, mesh TLS versions and request-normalization actions,
access-log types, failover-policy modes, HTTP methods and paths in intention
permissions, `spec.peer.secret.backend` (only `kubernetes`), agent `proxy.mode` and
`mesh_gateway.mode`, upstream `destination_type`, ACL access levels, service-router
paths, methods and retry conditions, service-splitter weights (the sum of 100, a
destination split twice; ServiceSplitter weights from 0.01 to 100). Only where Consul
validates: `MeshGateway.Mode` in proxy-defaults/service-defaults config entries is not
checked by Consul, so it is not flagged there (it is in agent files and in CRDs, whose
webhook checks it).

Beyond the decoder's shape it reports a value Consul's `Validate()` refuses wherever Consul, the agent's config
builder, the ACL rule parser or a consul-k8s webhook checks it after decoding (the
constraint layer, `linter/constraints/`), in their own words: service definitions,
config entries, agent files, ACL rules and custom resources, each family held to
cases transcribed from Consul's and consul-k8s's own Go tests (`tests/conformance/`;
the README's *Conformance with Consul's own tests* lists what is and is not checked).

## Why is this bad?
The write is refused with the message shown (`Invalid Mesh Gateway Mode: "foo"`,
`Sources[0].Action must be set to 'allow' or 'deny'`,
`spec.peer.secret.backend: Invalid value: "vault": backend must be "kubernetes"`).

**Assumes** the allowed values of the Consul release peerlint's schemas were generated
from, on any edition and ACL posture.

## References
- [Consul `agent/structs/config_entry_intentions.go`: `ServiceIntentionsConfigEntry.Validate`](https://github.com/hashicorp/consul/blob/main/agent/structs/config_entry_intentions.go)
- [Consul `agent/structs/config_entry_mesh.go`: `MeshConfigEntry.Validate`](https://github.com/hashicorp/consul/blob/main/agent/structs/config_entry_mesh.go)
- [Consul `agent/config/builder.go`: `builder.validate`](https://github.com/hashicorp/consul/blob/main/agent/config/builder.go)
- [consul-k8s `control-plane/api/v1alpha1`: each kind's `Validate` in `*_types.go`](https://github.com/hashicorp/consul-k8s/tree/main/control-plane/api/v1alpha1)
"""
    example = {
        "bad": {
            "intentions.hcl": """\
Kind = "service-intentions"
Name = "web"
Sources = [{ Name = "api", Peer = "dc2", Action = "permit" }]
""",
        },
        "good": {
            "intentions.hcl": """\
Kind = "service-intentions"
Name = "web"
Sources = [{ Name = "api", Peer = "dc2", Action = "allow" }]
""",
        },
    }

    def check(self, project) -> Iterator[Finding]:
        yield from shape_findings(self, project, "value")
