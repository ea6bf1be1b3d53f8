"""PL303: mesh gateway mode ``none`` that applies to peered traffic.

Peered traffic always goes through mesh gateways: Consul accepts ``none`` without error
and then, building the peer upstream's endpoints, logs ``invalid mesh gateway mode
'none', defaulting to 'remote'`` (consul-semantics §2.8). The file says one thing and the
mesh does another.
"""

from __future__ import annotations

from typing import Iterator

from linter.api import Finding, Fix, Rule
from linter.api.fixes import scalar_edits
from linter.api.topology import describe_mode_setting, peered_mode_settings

#: peerlint.toml, the same in the bad and the good example
_PEERLINT_TOML = """\
[clusters.east]
paths = ["east"]
[clusters.west]
paths = ["west"]
[[peerings]]
a = "east"
b = "west"
"""


class MeshGatewayModeNone(Rule):
    code = "PL303"
    slug = "mesh-gateway-mode-none"
    summary = "Mesh gateway mode none for peered traffic (Consul silently uses remote)"
    severity = "error"
    reads = ("graph", "texts")
    scope = "peers"
    fix = "safe"
    doc = """
## What it does
Flags a mesh gateway `Mode = "none"` that is the mode in force, by Consul's precedence
(upstream > service-defaults > proxy-defaults), for an upstream with a
`destination_peer`, and a service-defaults upstream override with a `Peer` and mode
`none`. Sources: proxy-defaults, service-defaults (and their `UpstreamConfig`), a
proxy's or upstream's `mesh_gateway`, the `ProxyDefaults`/`ServiceDefaults` CRDs.

## Why is this bad?
The `none` mode is invalid for cluster peering: peered traffic always crosses mesh
gateways. Consul does not reject it; it logs `invalid mesh gateway mode 'none',
defaulting to 'remote'` and routes through the peer's gateways. The configuration says
"direct" while the mesh does "remote", so anyone reading it is misled.

**Assumes** nothing about ACLs or edition: mode `none` is replaced by `remote` for
peered traffic in every release that peers. With no `[clusters]` in peerlint.toml the
clusters are inferred from the layout; where that is a guess (see `peerlint init`), an
error of this rule is reported as a warning that says what it rests on.

## References
- [Consul docs: Cluster peering technical specifications (the none mode is invalid with cluster peering)](https://developer.hashicorp.com/consul/docs/east-west/cluster-peering/tech-specs)
- [Consul docs: Cluster peering on Kubernetes technical specifications (mesh gateway specifications)](https://developer.hashicorp.com/consul/docs/east-west/cluster-peering/tech-specs/k8s)
- [Consul `agent/xds/endpoints.go`: `makeUpstreamLoadAssignmentForPeerService`](https://github.com/hashicorp/consul/blob/main/agent/xds/endpoints.go)
"""
    example = {
        "bad": {
            "peerlint.toml": _PEERLINT_TOML,
            "west/web.hcl": """\
service {
  name = "web"
  port = 80
  connect {
    sidecar_service {
      proxy {
        upstreams = [{
          destination_name = "payments"
          destination_peer = "east"
          local_bind_port  = 9001
          mesh_gateway {
            mode = "none"
          }
        }]
      }
    }
  }
}
""",
        },
        "good": {
            "peerlint.toml": _PEERLINT_TOML,
            "west/web.hcl": """\
service {
  name = "web"
  port = 80
  connect {
    sidecar_service {
      proxy {
        upstreams = [{
          destination_name = "payments"
          destination_peer = "east"
          local_bind_port  = 9001
          mesh_gateway {
            mode = "remote"
          }
        }]
      }
    }
  }
}
""",
        },
    }

    def check(self, project) -> Iterator[Finding]:
        for setting, upstreams in peered_mode_settings(project.graph, "none"):
            origin, target, related = describe_mode_setting(setting, upstreams)
            yield self.report(
                setting.doc.at(setting.node),
                f'mesh gateway mode "none" from {origin} applies to peered upstream {target}; '
                'peered traffic always crosses mesh gateways, so Consul ignores "none" and silently uses "remote"',
                related=related,
                fix=Fix(
                    _advice(setting.doc, setting.node),
                    scalar_edits(project.texts, setting.doc, setting.node, "remote", expect="none"),
                ),
            )


def _advice(doc, node) -> str:
    """The fix in the syntax of the file that sets the mode, with its key as written."""
    key = next((str(k.value) for k, v in getattr(node.parent, "entries", ()) if v is node), "mode")
    if doc.syntax == "yaml":
        remote, local = f"{key}: remote", "local"
    elif doc.syntax == "json":
        remote, local = f'"{key}": "remote"', '"local"'
    else:
        remote, local = f'{key} = "remote"', '"local"'
    return f"set {remote} (the peer's gateway), or {local} when this partition has a mesh gateway"
