"""PL101: a key the decoder does not accept, with a did-you-mean (schema layer)."""

from __future__ import annotations

from typing import Iterator

from linter.api import Finding, Rule
from linter.api.schema import shape_findings


class UnknownField(Rule):
    code = "PL101"
    slug = "unknown-field"
    summary = "A key Consul, consul-k8s or the consul chart does not read, with a did-you-mean"
    severity = "error"
    reads = ("documents", "texts")  # every document; those with a schema are checked (linter.schemacheck)
    scope = "cluster"  # tests/test_rule_scopes.py
    fix = "sometimes"  # a did-you-mean with one answer / one close enum value
    work_group = "schemacheck"  # shares the per-document schema check (linter.schemacheck): one process runs the group
    doc = """
## What it does
Flags a key that the decoder for this kind of file does not use, and names the key you
probably meant. Spelling rules follow each decoder: config entries match field names
case-insensitively and accept only the snake_case aliases Consul defines
(`peer_through_mesh_gateways`); agent files (`service {}` blocks, agent configuration)
accept only snake_case multi-word keys (`destination_name`, never `DestinationName`);
Kubernetes custom resources and Helm values are exact camelCase. Free-form maps (`Meta`,
`Config`, upstream `config`, `spec.config`, annotations) are never key-checked.

## Why is this bad?
Consul refuses the whole entry (`invalid config key "Sources[0].Foo"`), the agent
refuses to start (`invalid config key service.proxy.upstreams[0].DestinationName`), and
Kubernetes drops or rejects an unknown field (`unknown field
"spec.peering.peeringThroughMeshGateways"`). A misspelt chart value is silently ignored,
so the feature you configured is simply off.

**Assumes** the fields of the Consul release and consul chart peerlint's schemas were
generated from. Enterprise-only fields (`Namespace`, `Partition`) are accepted in a
cluster that runs Enterprise (the edition per cluster: explicit `edition`, else inferred
from Enterprise images, license and namespace/partition settings). A Helm value is
judged against the chart, which ignores unknown keys.

## Agent keys newer than the schema: judged against the Consul version
A few agent keys are read only by Consul releases newer than the one peerlint's agent
schema follows (`feature_gates`, Consul 2.1.0+; `federation_state_anti_entropy_sync_interval`).
Each is judged against the Consul version the cluster pins (`global.image`'s tag, else
`consul-version`): an error when the pinned release is older than the one that added
it, nothing when it reads it, and a warning naming the release when no version is
pinned (or the release that added the key is not known), since older agents refuse it.

## Helm values: a warning, judged against the chart version
Helm ignores keys the chart does not read (nothing is rejected), so on consul chart
values the finding is a warning: "the consul chart x.y does not read it". Keys come and
go between chart versions, so each key is judged against the version the cluster pins
(the tag of `global.imageK8S`, else `consul-k8s-version` in the configuration): a key
that version reads never fires, and one it no longer reads names the version that
dropped it. When no version is known, only a key that no chart version (the last 0.x
and every minor since 1.0) reads fires. The per-version keys come from consul-k8s's
`charts/consul/values.yaml` at each release (tools/gen_helm_keys.py).

## References
- [Consul `agent/structs/config_entry.go`: `DecodeConfigEntry`](https://github.com/hashicorp/consul/blob/main/agent/structs/config_entry.go)
- [Consul `lib/decode/decode.go`: `HookTranslateKeys`](https://github.com/hashicorp/consul/blob/main/lib/decode/decode.go)
- [Consul `agent/config/config.go`: agent file keys](https://github.com/hashicorp/consul/blob/main/agent/config/config.go)
- [consul-k8s `control-plane/config/crd/bases`: the CRD schemas](https://github.com/hashicorp/consul-k8s/tree/main/control-plane/config/crd/bases)
- [consul-k8s `charts/consul/values.yaml`: the Helm values](https://github.com/hashicorp/consul-k8s/blob/main/charts/consul/values.yaml)
- [Helm: values a chart does not read are ignored](https://helm.sh/docs/chart_best_practices/values/)
"""
    example = {
        "bad": {
            "mesh.hcl": """\
Kind = "mesh"
Peering {
  PeerThroughMeshGateway = true
}
""",
        },
        "good": {
            "mesh.hcl": """\
Kind = "mesh"
Peering {
  peer_through_mesh_gateways = true
}
""",
        },
    }

    def check(self, project) -> Iterator[Finding]:
        yield from shape_findings(self, project, "unknown")
