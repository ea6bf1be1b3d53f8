"""PL401: a service exported to a peer that no intention lets any source of that peer
call.

Exporting makes a service visible to a peer; only an intention with ``Peer`` lets the
peer's services connect (seed 001, "Authorize services for peers"). A local source of
the same name is another identity and does not count (consul-semantics §2.2).
"""

from __future__ import annotations

from typing import Iterator

from linter.api import AGENT_CONFIG, HELM_VALUES, Finding, Rule
from linter.api.acl import acl_state
from linter.api.topology import peer_upstreams_to


class MissingIntention(Rule):
    code = "PL401"
    slug = "missing-intention"
    summary = "A service exported to a peer with no intention allowing any source from that peer"
    severity = "error"
    reads = ("graph", AGENT_CONFIG, HELM_VALUES)
    doc = """
## What it does
Flags an `exported-services` consumer `Peer = P` for service S when no
service-intentions entry of S (or of `*`) in the exporting partition allows a source
with `Peer = P`. When the peer's upstreams to S are in the repo, the message names them
and the finding points at them.

## Why is this bad?
Exporting only makes S visible to the peer. Consul authorizes every connection from a
peer by intentions whose source carries that `Peer`; with none, the peer's calls are
denied. A local source of the same name is a different identity: `Name = "frontend"`
without `Peer` does not allow `frontend` in the peer.

**Assumes** the exporting cluster enforces ACLs with `default_policy = "deny"`: only
then does Consul deny a connection no intention matches. The posture is read from the
cluster's agent configuration (`acl { enabled, default_policy }`) or Helm values
(`global.acls.manageSystemACLs`). When they say ACLs are off or default to allow,
Consul allows the calls and this rule is silent (PL503 reports that posture instead).
When the repository holds neither for that cluster, the finding is a warning that says
the denial depends on it.

## References
- Seed 001, establish cluster peering connections: authorize services for peers
- Consul `agent/structs/config_entry_intentions.go`
"""
    example = {
        "bad": {
            "peerlint.toml": """\
[clusters.cluster-01]
paths = ["cluster-01"]
[clusters.cluster-02]
paths = ["cluster-02"]
[[peerings]]
a = "cluster-01"
b = "cluster-02"
""",
            "cluster-01/server.hcl": """\
datacenter = "cluster-01"
acl {
  enabled = true
  default_policy = "deny"
}
""",
            "cluster-01/exports.hcl": """\
Kind = "exported-services"
Name = "default"
Services = [{ Name = "backend-service", Consumers = [{ Peer = "cluster-02" }] }]
""",
            "cluster-01/intentions.hcl": """\
Kind = "service-intentions"
Name = "backend-service"
Sources = [{ Name = "frontend-service", Action = "allow" }]
""",
        },
        "good": {
            "peerlint.toml": """\
[clusters.cluster-01]
paths = ["cluster-01"]
[clusters.cluster-02]
paths = ["cluster-02"]
[[peerings]]
a = "cluster-01"
b = "cluster-02"
""",
            "cluster-01/server.hcl": """\
datacenter = "cluster-01"
acl {
  enabled = true
  default_policy = "deny"
}
""",
            "cluster-01/exports.hcl": """\
Kind = "exported-services"
Name = "default"
Services = [{ Name = "backend-service", Consumers = [{ Peer = "cluster-02" }] }]
""",
            "cluster-01/intentions.hcl": """\
Kind = "service-intentions"
Name = "backend-service"
Sources = [{ Name = "frontend-service", Peer = "cluster-02", Action = "allow" }]
""",
        },
    }

    def check(self, project) -> Iterator[Finding]:
        graph = project.graph
        for export in graph.all_exports():
            if export.consumer_kind != "peer" or export.service in ("", "*"):
                continue
            posture = acl_state(project, export.cluster)
            if posture is not None and (not posture.enabled or posture.default_policy != "deny"):
                continue  # Consul allows what no intention matches: PL503 reports the posture
            peer = export.consumer
            if (
                graph.peerings_known(export.cluster)
                and graph.resolve_peer(export.cluster, export.partition, peer) is None
            ):
                continue  # no such peering: PL202 says so; its intentions cannot be judged
            if any(
                (i.peer or "").lower() == peer.lower()
                for i in graph.intentions_allowing(export.cluster, export.partition, export.service)
            ):
                continue
            callers = peer_upstreams_to(graph, export)
            names = sorted({u.service for u in callers if u.service})
            local = [
                i
                for i in graph.intentions_allowing(export.cluster, export.partition, export.service)
                if not i.peer and i.source in names
            ]
            related = [
                (u.doc.at(u.name_node or u.node), f"{u.service} in peer {peer} calls {export.service} here")
                for u in callers
            ]
            related += [
                (i.doc.at(i.name_node or i.node), f"this source is the local {i.source}, not the one in peer {peer}")
                for i in local
            ]
            sources = ", ".join(
                f'{{ Name = "{n}", Peer = "{peer}", Action = "allow" }}' for n in (names or ["<service>"])
            )
            message = f"{export.service} is exported to peer {peer!r}, but no intention allows any source from peer {peer!r}, so Consul denies its calls"
            if posture is None:
                who = f"cluster {export.cluster!r}" if export.cluster != "default" else "this cluster"
                message += (
                    f' if {who} enforces ACLs with default_policy = "deny" (the repository holds no agent'
                    " configuration or Helm values that say; with ACLs off or default allow Consul allows them)"
                )
            if names:
                message += f"; {peer}'s upstreams to it: {', '.join(names)}"
            yield self.report(
                export.doc.at(export.node),
                message,
                severity="warning" if posture is None else None,
                related=related,
                fix=f"add to the service-intentions of {export.service}: Sources = [{sources}]",
            )
