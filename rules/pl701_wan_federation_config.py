"""PL701: agent configurations the config builder rejects for WAN federation through
mesh gateways (consul-semantics §4)."""

from __future__ import annotations

from typing import Iterator

from linter.api import AGENT_CONFIG, Document, Finding, Rule
from linter.api import agents as ag

FED = "'connect.enable_mesh_gateway_wan_federation = true'"


class WanFederationConfig(Rule):
    code = "PL701"
    slug = "wan-federation-config"
    summary = "Agent configuration the builder rejects for WAN federation via mesh gateways"
    severity = "error"
    reads = (AGENT_CONFIG,)
    doc = """
## What it does
Applies the agent config builder's checks on `connect.enable_mesh_gateway_wan_federation`
and `primary_gateways`, with Consul's messages: federation via mesh gateways needs
`connect.enabled = true` and `server = true`, a `node_name` without `/`, and no
`retry_join_wan`; `primary_gateways` needs `server = true` and is only valid in a
secondary datacenter (`primary_datacenter` other than `datacenter`). Files in one
directory are read together, as `-config-dir` does; where no file says whether the
agent is a server, the rule stays silent.

## Why is this bad?
The agent refuses to start.

**Assumes** nothing about ACLs or edition: the agent's configuration builder refuses
these settings on every edition.

## References
- [Consul `agent/config/builder.go`: `builder.validate` (mesh gateway WAN federation)](https://github.com/hashicorp/consul/blob/main/agent/config/builder.go)
- [Consul docs: WAN federation via mesh gateways](https://developer.hashicorp.com/consul/docs/east-west/mesh-gateway/enable)
"""
    example = {
        "bad": {
            "server.hcl": """\
datacenter = "dc2"
primary_datacenter = "dc1"
server = true
retry_join_wan = ["10.0.0.5"]
connect {
  enabled = true
  enable_mesh_gateway_wan_federation = true
}
""",
        },
        "good": {
            "server.hcl": """\
datacenter = "dc2"
primary_datacenter = "dc1"
server = true
primary_gateways = ["198.51.100.10:443"]
connect {
  enabled = true
  enable_mesh_gateway_wan_federation = true
}
""",
        },
    }

    def check(self, project) -> Iterator[Finding]:
        docs = ag.agents(project)
        grouped = ag.folders(docs)
        for doc in docs:
            group = ag.siblings(doc, grouped)
            server = self._server(doc, group)
            fed = ag.mesh_gateway_federation(doc)
            if fed is not None:
                if ag.boolean(doc, "connect", "enabled") is False and not self._implicit_connect(group):
                    yield self.report(
                        doc.at(ag.get(doc, "connect", "enabled")),
                        f"{FED.replace(' = ', '=')} requires 'connect.enabled=true'",
                        fix="set connect { enabled = true }",
                    )
                if server is False:
                    yield self.report(
                        doc.at(fed),
                        f"{FED} requires 'server = true'",
                        related=self._server_where(doc, group),
                        fix="enable mesh gateway WAN federation on servers only",
                    )
                name = ag.value(doc, "node_name")
                if isinstance(name, str) and "/" in name:
                    yield self.report(
                        doc.at(ag.get(doc, "node_name")),
                        f"{FED} requires that 'node_name' not contain '/' characters",
                        fix="remove '/' from node_name",
                    )
                for other in group:
                    join = ag.non_empty_list(other, "retry_join_wan")
                    if join is not None:
                        yield self.report(
                            other.at(join),
                            f"'retry_join_wan' is incompatible with {FED}",
                            related=[(doc.at(fed), "mesh gateway WAN federation is enabled here")]
                            if other is not doc
                            else [],
                            fix="remove retry_join_wan; secondaries reach the primary through primary_gateways",
                        )
            gateways = ag.non_empty_list(doc, "primary_gateways")
            if gateways is None:
                continue
            if server is False:
                yield self.report(
                    doc.at(gateways),
                    "'primary_gateways' requires 'server = true'",
                    related=self._server_where(doc, group),
                    fix="set primary_gateways on the servers only",
                )
            dc_doc = ag.first_set(group, "datacenter")
            pdc_doc = ag.first_set(group, "primary_datacenter")
            if dc_doc is not None:
                dc = ag.datacenter(dc_doc)
                pdc = ag.primary_datacenter(pdc_doc) if pdc_doc is not None else None
                if (pdc or dc) == dc:
                    related = (
                        [(pdc_doc.at(ag.get(pdc_doc, "primary_datacenter")), "primary_datacenter is set here")]
                        if pdc_doc is not None
                        else []
                    )
                    yield self.report(
                        doc.at(gateways),
                        "'primary_gateways' should only be configured in a secondary datacenter",
                        related=related,
                        fix=f"set primary_datacenter to the primary's name in this secondary, or remove primary_gateways from the primary {dc!r}",
                    )

    @staticmethod
    def _server(doc: Document, group: list[Document]) -> bool | None:
        """True/False when the directory says; False when a complete file (it sets
        ``datacenter``) and no sibling set ``server``; else None."""
        flag = ag.first_boolean(group, "server")
        if flag is not None:
            return flag
        return False if ag.get(doc, "datacenter") is not None and ag.get(doc, "data_dir") is not None else None

    @staticmethod
    def _server_where(doc: Document, group: list[Document]) -> list:
        other = ag.first_set(group, "server")
        return [(other.at(ag.get(other, "server")), "server is set here")] if other is not None else []

    @staticmethod
    def _implicit_connect(group: list[Document]) -> bool:
        """auto_encrypt.allow_tls and auto_config enable Connect implicitly."""
        return any(ag.boolean(d, "auto_encrypt", "allow_tls") or ag.boolean(d, "auto_config", "enabled") for d in group)
