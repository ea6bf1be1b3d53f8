"""PL702: WAN-federated datacenters that cannot form one federation: disagreement on
the primary, a secondary with no way to reach it, no mesh gateway to federate through."""

from __future__ import annotations

from collections import Counter
from typing import Iterator

from linter.api import AGENT_CONFIG, SERVICE_DEFINITION, Finding, Rule
from linter.api import agents as ag


class FederationTopology(Rule):
    code = "PL702"
    slug = "federation-topology"
    summary = "Federated datacenters that disagree on the primary, a secondary without primary_gateways, or mesh gateway federation with no mesh gateway"
    severity = "warning"
    reads = (AGENT_CONFIG, SERVICE_DEFINITION)
    doc = """
## What it does
Reads the agent configurations of every datacenter together and flags: agents that
name different `primary_datacenter`s (one federation has one primary); a secondary
server federating through mesh gateways with neither `primary_gateways` nor
`retry_join_wan` in its configuration directory; and a datacenter with
`connect.enable_mesh_gateway_wan_federation = true` where the project registers mesh
gateways (`Kind = "mesh-gateway"` service definitions) for other datacenters but not
for this one.

## Why is this bad?
Two primaries each keep their own CA, ACLs and config entries and never replicate.
A secondary with no primary gateway address never joins the WAN pool. Federation
through mesh gateways sends all server traffic through the local mesh gateway; with
none registered the datacenter is cut off.

**Assumes** the federation is judged from the agent configurations in the repository: a
datacenter whose files are elsewhere is not seen, and gateways registered outside the
repository are not counted.

## References
- [Consul docs: WAN federation via mesh gateways](https://developer.hashicorp.com/consul/docs/east-west/mesh-gateway/enable)
- [Consul docs: agent configuration file reference (`primary_datacenter`, `primary_gateways`)](https://developer.hashicorp.com/consul/docs/reference/agent/configuration-file)
- [Consul `agent/config/builder.go`: `builder.validate`](https://github.com/hashicorp/consul/blob/main/agent/config/builder.go)
"""
    example = {
        "bad": {
            "dc2/server.hcl": """\
datacenter = "dc2"
primary_datacenter = "dc1"
""",
            "dc3/server.hcl": """\
datacenter = "dc3"
primary_datacenter = "dc2"
""",
        },
        "good": {
            "dc2/server.hcl": """\
datacenter = "dc2"
primary_datacenter = "dc1"
""",
            "dc3/server.hcl": """\
datacenter = "dc3"
primary_datacenter = "dc1"
""",
        },
    }

    def check(self, project) -> Iterator[Finding]:
        docs = ag.agents(project)
        for group in _federations(docs):
            named = [(d, ag.primary_datacenter(d)) for d in group]
            counts = Counter(p for _, p in named)
            if len(counts) < 2:
                continue
            top = counts.most_common()
            majority = None if top[0][1] == top[1][1] else top[0][0]
            for doc, primary in named:
                if primary == majority:
                    continue
                other = next(d for d, p in named if p != primary)
                yield self.report(
                    doc.at(ag.get(doc, "primary_datacenter")),
                    f"primary_datacenter {primary!r} disagrees with {ag.primary_datacenter(other)!r} in {other.path}: federated datacenters must name the same primary",
                    related=[(other.at(ag.get(other, "primary_datacenter")), "another primary is named here")],
                    fix="name one primary datacenter in every datacenter's configuration",
                )
        gateways = {
            d.cluster
            for d in project.of(SERVICE_DEFINITION)
            if str(d.root.value("Kind", default="")).lower() == "mesh-gateway"
        }
        grouped = ag.folders(docs)
        for doc in docs:
            fed = ag.mesh_gateway_federation(doc)
            if fed is None:
                continue
            group = ag.siblings(doc, grouped)
            dc, pdc = ag.datacenter(doc), ag.primary_datacenter(doc)
            server = ag.first_boolean(group, "server")
            if (
                server
                and dc
                and pdc
                and dc != pdc
                and not any(
                    ag.non_empty_list(d, "primary_gateways") or ag.non_empty_list(d, "retry_join_wan") for d in group
                )
            ):
                yield self.report(
                    doc.at(fed),
                    f"secondary datacenter {dc!r} federates through mesh gateways but sets no primary_gateways: its servers have no address for primary {pdc!r}",
                    fix="list the primary's mesh gateway addresses in primary_gateways",
                )
            if gateways and doc.cluster not in gateways:
                yield self.report(
                    doc.at(fed),
                    f"mesh gateway WAN federation is enabled but no mesh gateway is registered in {doc.cluster!r} (this project registers mesh gateways in {', '.join(sorted(map(repr, gateways)))})",
                    fix='register a mesh gateway (Kind = "mesh-gateway") in this datacenter',
                )


def _federations(docs: list) -> list[list]:
    """Agents that set primary_datacenter, grouped into federations: a datacenter and
    the primary it names are linked (union-find over datacenter names), so unrelated
    examples that reuse names only meet when they name each other."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    named = [d for d in docs if ag.primary_datacenter(d) and ag.datacenter(d)]
    for doc in named:
        parent[find(ag.datacenter(doc))] = find(ag.primary_datacenter(doc))
    groups: dict[str, list] = {}
    for doc in named:
        groups.setdefault(find(ag.datacenter(doc)), []).append(doc)
    return list(groups.values())
