"""PL302: mesh gateway mode ``local`` for peered traffic in a partition without a mesh
gateway.

In ``local`` mode a sidecar sends peered traffic to its own partition's mesh gateway
(seed 002: "To use the local mesh gateway mode, you must register a mesh gateway in the
importing cluster"); with none registered, the upstream has nowhere to go.
"""

from __future__ import annotations

from typing import Iterator

from linter.api import Finding, Rule
from linter.api.topology import describe_mode_setting, gateways_known, peered_mode_settings

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
#: west/web.hcl, the same in the bad and the good example
_WEST_WEB_HCL = """\
service {
  name = "web"
  port = 80
  connect {
    sidecar_service {
      proxy {
        upstreams = [{ destination_name = "payments", destination_peer = "east", local_bind_port = 9001 }]
      }
    }
  }
}
"""


class LocalModeWithoutGateway(Rule):
    code = "PL302"
    slug = "local-mode-without-gateway"
    summary = "Mesh gateway mode local for peered traffic where the importing partition has no mesh gateway"
    severity = "error"
    reads = ("graph",)
    scope = "peers"
    doc = """
## What it does
Flags a mesh gateway `Mode = "local"` (proxy-defaults, service-defaults and their
upstream overrides, a proxy's or upstream's `mesh_gateway`, the CRDs) that is the mode
in force, by Consul's precedence (upstream > service-defaults > proxy-defaults), for an
upstream with a `destination_peer`, when the importing cluster/partition registers no
mesh gateway. A Kubernetes cluster whose Helm values are not in the repo is left alone.

## Why is this bad?
In `local` mode the sidecar dials the mesh gateway of its own partition, which forwards
to the peer. Without a local gateway the upstream has no route and every call fails.
Use `remote` mode (the sidecar dials the peer's gateway), or register a mesh gateway in
the importing partition.

**Assumes** the importing partition's gateways are in the repository. On Kubernetes the
Helm values decide (`meshGateway.enabled`): an error. On VMs a gateway may be registered
on the command line (`consul connect envoy -gateway=mesh -register`), which no file
shows: there the finding is a warning that says so. With no `[clusters]` in
peerlint.toml the clusters are inferred from the layout; where that is a guess, an error
of this rule is reported as a warning that says what it rests on.

## References
- [Consul docs: Cluster peering technical specifications (mesh gateway modes)](https://developer.hashicorp.com/consul/docs/east-west/cluster-peering/tech-specs)
- [Consul `agent/xds/endpoints.go`: `makeUpstreamLoadAssignmentForPeerService`](https://github.com/hashicorp/consul/blob/main/agent/xds/endpoints.go)
"""
    example = {
        "bad": {
            "peerlint.toml": _PEERLINT_TOML,
            "west/web.hcl": _WEST_WEB_HCL,
            "west/proxy-defaults.hcl": """\
Kind = "proxy-defaults"
Name = "global"
MeshGateway {
  Mode = "local"
}
""",
        },
        "good": {
            "peerlint.toml": _PEERLINT_TOML,
            "west/web.hcl": _WEST_WEB_HCL,
            "west/proxy-defaults.hcl": """\
Kind = "proxy-defaults"
Name = "global"
MeshGateway {
  Mode = "remote"
}
""",
        },
    }

    def check(self, project) -> Iterator[Finding]:
        graph = project.graph
        for setting, upstreams in peered_mode_settings(graph, "local"):
            if graph.gateways(setting.cluster, setting.partition) or not gateways_known(graph, setting.cluster):
                continue
            origin, target, related = describe_mode_setting(setting, upstreams)
            where = f"cluster {setting.cluster!r}" + (
                f" partition {setting.partition!r}" if setting.partition != "default" else ""
            )
            message = (
                f'mesh gateway mode "local" from {origin} applies to peered upstream {target}, '
                f"but {where} registers no mesh gateway: in local mode the sidecar dials its own partition's gateway, so these calls have no route"
            )
            vm = not graph.helm_values(setting.cluster)
            if vm:  # a gateway registered on the command line shows in no file
                message += " (unless a mesh gateway is registered outside these files, e.g. by consul connect envoy -gateway=mesh -register)"
            yield self.report(
                setting.doc.at(setting.node),
                message,
                severity="warning" if vm else None,
                related=related,
                fix='register a mesh gateway in this partition, or use Mode = "remote" (the default for peered traffic)',
            )
