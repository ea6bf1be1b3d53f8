"""PL502: a sidecar with a peered upstream whose token cannot read imported services."""

from __future__ import annotations

from typing import Iterator

from linter.api import Finding, Rule, text
from linter.api.acl import acl_model, acl_state

#: agent.hcl, the same in the bad and the good example
_AGENT_HCL = """\
datacenter = "dc1"
acl {
  enabled = true
  default_policy = "deny"
}
"""
#: frontend.hcl, the same in the bad and the good example
_FRONTEND_HCL = """\
service {
  name = "frontend"
  port = 8080
  token = "3f9a1b2c-4d5e-6f70-8192-a3b4c5d6e7f8"
  connect {
    sidecar_service {
      proxy {
        upstreams = [{ destination_name = "backend", destination_peer = "dc2", local_bind_port = 9000 }]
      }
    }
  }
}
"""
#: frontend-token.json, the same in the bad and the good example
_FRONTEND_TOKEN_JSON = """\
{
  "SecretID": "3f9a1b2c-4d5e-6f70-8192-a3b4c5d6e7f8",
  "Policies": [{ "Name": "frontend-policy" }]
}
"""


class ImportedServiceAcl(Rule):
    code = "PL502"
    slug = "imported-service-acl"
    summary = "With ACLs on, a sidecar with a peered upstream has a token that cannot read imported services"
    severity = "error"
    security_severity = 4.0
    reads = ("graph", "acl-token", "acl-policy", "acl-policy-api", "acl-role", "agent-config", "helm-values", "texts")
    scope = "peers"
    doc = """
## What it does
With ACLs on (agent `acl { enabled = true }`, not Helm-managed), checks the token of every
service whose sidecar has an upstream with `destination_peer`: it must have either
`service:write` on any service, or `service:read` on all services and `node:read` on all
nodes. A service identity satisfies both.

## Why is this bad?
Imported services and nodes carry a peer name, and Consul's authorizer answers reads of
peered data differently: it allows them when the token has `service:write` on any
service (`ServiceWriteAny`), and otherwise only with read on *all* services and nodes
(`ServiceReadAll`/`NodeReadAll`: a `service_prefix ""` / `node_prefix ""` read and no
narrower deny). Exact per-name read rules do not help. Without it the sidecar never
learns the peer's endpoints and the upstream silently has no healthy instances.

**Assumes** ACLs are enforced: it runs only on a cluster whose agent configuration
enables ACLs (silent with ACLs off, when the repository does not say, or when consul-k8s
manages the tokens with `manageSystemACLs`).

## References
- [Consul `acl/policy_authorizer.go`: `ServiceWriteAny`, `ServiceReadAll`](https://github.com/hashicorp/consul/blob/main/acl/policy_authorizer.go)
- [Consul `agent/structs/acl.go`: ACL structures](https://github.com/hashicorp/consul/blob/main/agent/structs/acl.go)
- [Consul docs: Establish cluster peering connections (authorize service reads with ACLs)](https://developer.hashicorp.com/consul/docs/east-west/cluster-peering/establish/vm)
"""
    example = {
        "bad": {
            "agent.hcl": _AGENT_HCL,
            "frontend.hcl": _FRONTEND_HCL,
            "frontend-token.json": _FRONTEND_TOKEN_JSON,
            "frontend-policy.hcl": """\
service "frontend" { policy = "read" }
node_prefix "" { policy = "read" }
""",
        },
        "good": {
            "agent.hcl": _AGENT_HCL,
            "frontend.hcl": _FRONTEND_HCL,
            "frontend-token.json": _FRONTEND_TOKEN_JSON,
            "frontend-policy.hcl": """\
service "frontend" { policy = "write" }
node_prefix "" { policy = "read" }
""",
        },
    }

    def check(self, project) -> Iterator[Finding]:
        graph = project.graph
        model = acl_model(project)
        seen: set[tuple[int, int]] = set()
        for up in graph.upstreams():
            if not up.destination_peer or up.source != "service-definition":
                continue
            state = acl_state(project, up.cluster)
            if state is None or not state.enabled or state.managed:
                continue
            own = text(up.doc.root.get("name")) or up.service
            for token, _binding in model.tokens_for_service(up.doc, up.service, own):
                if token.unresolved or (id(token), id(up.doc)) in seen:
                    continue
                authz = token.authorizer(state.default_policy)
                if authz.write_any("service") or (authz.read_all("service") and authz.read_all("node")):
                    continue
                seen.add((id(token), id(up.doc)))
                lacking = [f"{r}:read on all {r}s" for r in ("service", "node") if not authz.read_all(r)]
                denies = [r.describe() for res in ("service", "node") for r in authz.narrower_denies(res)]
                blocked = f" ({', '.join(denies)} prevents read on all)" if denies else ""
                yield self.report(
                    token.doc.at(token.anchor()),
                    f"the ACL token of {own!r} cannot read services imported from peer {up.destination_peer!r} "
                    f"(upstream {up.destination_name!r}): peered data needs either service:write on any service, "
                    f"or service:read on all services and node:read on all nodes; it has no write rule and lacks "
                    f"{' and '.join(lacking)}{blocked}",
                    related=[(up.doc.at(up.peer_node or up.node), f"the upstream to peer {up.destination_peer!r}")],
                    fix=f'give the token a service identity for {up.service!r}, or add a policy with service_prefix "" {{ policy = "read" }} and node_prefix "" {{ policy = "read" }}',
                )
