"""PL501: a mesh gateway's ACL token lacks a permission peering needs."""

from __future__ import annotations

from typing import Iterator

from linter.api import Finding, Rule
from linter.api.acl import acl_model, acl_state

#: agent.hcl, the same in the bad and the good example
_AGENT_HCL = """\
datacenter = "dc1"
acl {
  enabled = true
  default_policy = "deny"
}
"""
#: gateway.hcl, the same in the bad and the good example
_GATEWAY_HCL = """\
service {
  name = "mesh-gateway"
  kind = "mesh-gateway"
  port = 8443
}
"""
#: gateway-token.json, the same in the bad and the good example
_GATEWAY_TOKEN_JSON = """\
{
  "Description": "mesh gateway",
  "ServiceIdentities": [{ "ServiceName": "mesh-gateway" }],
  "Policies": [{ "Name": "mesh-gateway-policy" }]
}
"""


class MeshGatewayAcl(Rule):
    code = "PL501"
    slug = "mesh-gateway-acl"
    summary = "With ACLs on, a mesh gateway's token lacks a permission peering needs"
    severity = "error"
    security_severity = 4.0
    reads = ("graph", "acl-token", "acl-policy", "acl-policy-api", "acl-role", "agent-config", "helm-values", "texts")
    scope = "peers"
    doc = """
## What it does
With ACLs on (agent `acl { enabled = true }`, not Helm-managed), resolves the token of
each mesh gateway (a ServiceIdentity of the gateway, or the token whose SecretID is the
gateway definition's `token`) through its policies and names every permission it lacks:
`service:write` on the gateway itself, `service:read` on all services, `node:read` on all
nodes, `mesh:write` when its partition exports services to peers, and `peering:read`
when the default partition peers through mesh gateways. `mesh` and `peering` fall back
to `operator`, as in Consul.

## Why is this bad?
The gateway's xDS stream needs `service:write` on itself and it watches every service
and node. It only requests its mesh-gateway leaf certificate when the partition exports
to peers, and that CSR needs `mesh:write`; with `PeerThroughMeshGateways` the default
partition's gateway lists peerings (`peering:read`). Without them peering fails quietly:
the gateway never gets the certificate or the peer list.

**Assumes** ACLs are enforced: it runs only on a cluster whose agent configuration
enables ACLs (silent with ACLs off, when the repository does not say, or when consul-k8s
manages the tokens with `manageSystemACLs`).

## References
- [Consul `agent/consul/leader_connect_ca.go`: mesh gateway certificate signing needs `mesh:write`](https://github.com/hashicorp/consul/blob/main/agent/consul/leader_connect_ca.go)
- [Consul `agent/proxycfg/mesh_gateway.go`: the mesh gateway's leaf certificate for peering](https://github.com/hashicorp/consul/blob/main/agent/proxycfg/mesh_gateway.go)
- [Consul docs: Cluster peering technical specifications (ACL specifications)](https://developer.hashicorp.com/consul/docs/east-west/cluster-peering/tech-specs)
"""
    example = {
        "bad": {
            "agent.hcl": _AGENT_HCL,
            "gateway.hcl": _GATEWAY_HCL,
            "exports.hcl": """\
Kind = "exported-services"
Name = "default"
Services = [{ Name = "web", Consumers = [{ Peer = "dc2" }] }]
""",
            "gateway-token.json": _GATEWAY_TOKEN_JSON,
            "mesh-gateway-policy.hcl": """\
mesh = "read"
""",
        },
        "good": {
            "agent.hcl": _AGENT_HCL,
            "gateway.hcl": _GATEWAY_HCL,
            "exports.hcl": """\
Kind = "exported-services"
Name = "default"
Services = [{ Name = "web", Consumers = [{ Peer = "dc2" }] }]
""",
            "gateway-token.json": _GATEWAY_TOKEN_JSON,
            "mesh-gateway-policy.hcl": """\
mesh = "write"
""",
        },
    }

    def check(self, project) -> Iterator[Finding]:
        graph = project.graph
        model = acl_model(project)
        for cluster in graph.clusters():
            state = acl_state(project, cluster)
            if state is None or not state.enabled or state.managed:
                continue
            for partition in graph.partitions(cluster):
                exports = [e for e in graph.exports(cluster, partition) if e.consumer_kind == "peer"]
                mesh = graph.mesh_config(cluster, "default") if partition == "default" else None
                through = mesh is not None and mesh.peers_through_gateways
                for gw in graph.gateways(cluster, partition):
                    if gw.source != "service":
                        continue
                    for token, binding in model.tokens_for_service(gw.doc, gw.name):
                        if token.unresolved:
                            continue
                        authz = token.authorizer(state.default_policy)
                        missing, add = [], []
                        related = [
                            (gw.doc.at(gw.node), f"the mesh gateway {gw.name!r} this token is bound to"),
                            (
                                (gw.doc if binding is gw.doc.root.get("token") else token.doc).at(binding),
                                "binds the token to the gateway",
                            ),
                        ]
                        if not authz.allows("service", gw.name, "write"):
                            missing.append(
                                f"service:write on {gw.name!r} (the gateway's xDS stream is authorized as its own service)"
                            )
                            add.append(f'service "{gw.name}" {{ policy = "write" }}')
                        for resource in ("service", "node"):
                            if not authz.read_all(resource):
                                denies = [r.describe() for r in authz.narrower_denies(resource)]
                                blocked = f"; {', '.join(denies)} prevents read on all" if denies else ""
                                missing.append(
                                    f"{resource}:read on all {resource}s (the gateway watches every {resource}{blocked})"
                                )
                                add.append(f'{resource}_prefix "" {{ policy = "read" }}')
                        if exports and not authz.allows("mesh", None, "write"):
                            peers = sorted({e.consumer for e in exports})
                            missing.append(
                                f"mesh:write (partition {partition!r} exports services to peer(s) {', '.join(peers)}, so the gateway requests a mesh-gateway leaf certificate, which needs mesh:write)"
                            )
                            add.append('mesh = "write"')
                            related.append((exports[0].doc.at(exports[0].node), "the export to a peer"))
                        if through and not authz.allows("peering", None, "read"):
                            missing.append(
                                "peering:read (the default partition peers through mesh gateways, so the gateway lists peerings)"
                            )
                            add.append('peering = "read"')
                            related.append((mesh.doc.at(mesh.peer_through), "PeerThroughMeshGateways"))  # type: ignore[union-attr]
                        if missing:
                            yield self.report(
                                token.doc.at(token.anchor()),
                                f"the ACL token of mesh gateway {gw.name!r} lacks " + "; ".join(missing),
                                related=related,
                                fix="add a policy to the token with: " + " ".join(add),
                            )
