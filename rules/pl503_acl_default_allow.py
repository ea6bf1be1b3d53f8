"""PL503: a peered cluster whose ACLs are off or default to allow."""

from __future__ import annotations

from typing import Iterator

from linter.api import AGENT_CONFIG, HELM_VALUES, Document, Finding, Mapping, Node, Rule, is_true, text
from linter.api.acl import acl_documents, peered_clusters
from linter.api.helm import truthy


def _enforcing(doc: Document) -> bool:
    acl = doc.root.get("acl")
    return (
        isinstance(acl, Mapping)
        and is_true(acl.get("enabled"))
        and (text(acl.get("default_policy")) or "").lower() == "deny"
    )


class AclDefaultAllow(Rule):
    code = "PL503"
    slug = "acl-default-allow"
    summary = 'Peered cluster with ACLs disabled or default_policy = "allow"'
    severity = "warning"
    security_severity = 7.5
    reads = ("graph", AGENT_CONFIG, HELM_VALUES)
    scope = "peers"
    doc = """
## What it does
Flags the ACL settings of a cluster that peers with another while its ACLs are disabled
or `acl.default_policy` is `"allow"` (agent `acl {}` block, or Helm values without
`global.acls.manageSystemACLs: true`).

## Why is this bad?
Intentions are enforced by ACLs: with ACLs off, or with `default_policy = "allow"`, a
connection no intention matches is allowed. Every service exported to a peer then
accepts connections from all of that peer's services, and anyone can read and change
the catalog. Consul's agent defaults are `acl.enabled = false` and
`acl.default_policy = "allow"`, so saying nothing is the insecure choice.

**Assumes** the cluster's own agent configurations or Helm values are in the repository;
with neither it is silent (nothing says the posture). Consul's defaults (`acl.enabled =
false`, `default_policy = "allow"`) apply to what they leave unset.

## References
- [Consul `agent/config/default.go`: `acl.default_policy = "allow"`](https://github.com/hashicorp/consul/blob/main/agent/config/default.go)
- [Consul docs: Service mesh intentions (default intention behavior)](https://developer.hashicorp.com/consul/docs/secure-mesh/intention)
- [Consul docs: Cluster peering technical specifications](https://developer.hashicorp.com/consul/docs/east-west/cluster-peering/tech-specs)
"""
    example = {
        "bad": {
            "agent.hcl": """\
datacenter = "dc1"
acl {
  enabled = true
  default_policy = "allow"
}
""",
            "exports.hcl": """\
Kind = "exported-services"
Name = "default"
Services = [{ Name = "web", Consumers = [{ Peer = "dc2" }] }]
""",
        },
        "good": {
            "agent.hcl": """\
datacenter = "dc1"
acl {
  enabled = true
  default_policy = "deny"
}
""",
            "exports.hcl": """\
Kind = "exported-services"
Name = "default"
Services = [{ Name = "web", Consumers = [{ Peer = "dc2" }] }]
""",
        },
    }

    def check(self, project) -> Iterator[Finding]:
        for cluster, (peer_doc, peer_node, peer) in sorted(peered_clusters(project).items(), key=lambda kv: kv[0]):
            helms, agents = acl_documents(project).get(cluster, ([], []))
            if any(_enforcing(d) for d in agents) or any(self._helm_managed(d) for d in helms):
                continue
            # Report every acl block that falls short; with none anywhere, one file (agent
            # configs are often split over several): a server's, preferably the one naming
            # the datacenter.
            with_acl = [d for d in agents if isinstance(d.root.get("acl"), Mapping)]
            ranked = sorted(agents, key=lambda d: (not is_true(d.root.get("server")), "datacenter" not in d.root))
            targets = with_acl or ranked[:1]
            who = f"cluster {cluster!r}" if cluster != "default" else "this cluster"
            peers = f" peers (with {peer!r})" if peer else " peers"
            related = [(peer_doc.at(peer_node), "the peering")] if peer_doc is not None else []
            for doc in targets:
                node, why, fix = self._agent_problem(doc)
                yield self.report(
                    doc.at(node),
                    f"{who}{peers} but {why}: connections that no intention matches are then allowed, so every service exported to a peer accepts all of that peer's services",
                    related=related,
                    fix=fix,
                )
            for doc in helms:
                node, why = self._helm_problem(doc)
                if node is not None:
                    yield self.report(
                        doc.at(node),
                        f"{who}{peers} but {why}: connections that no intention matches are then allowed",
                        related=related,
                        fix='set global.acls.manageSystemACLs: true (consul-k8s then enables ACLs with default_policy "deny" and creates every component\'s token)',
                    )

    @staticmethod
    def _agent_problem(doc: Document) -> tuple[Node | None, str, str]:
        fix = 'set acl { enabled = true, default_policy = "deny" } and give every service, gateway and agent a token'
        acl_key = doc.root.key("acl")
        acl = doc.root.get("acl")
        if not isinstance(acl, Mapping):
            anchor = doc.root.key("datacenter") or acl_key or (doc.root.entries[0][0] if doc.root.entries else None)
            return anchor, "its agent configuration has no acl block, and ACLs default to disabled", fix
        enabled = acl.get("enabled")
        if not is_true(enabled):
            return (
                (enabled or acl_key),
                (
                    "acl.enabled is not true"
                    if enabled is not None
                    else "the acl block does not set enabled = true (ACLs default to disabled)"
                ),
                fix,
            )
        policy = acl.get("default_policy")
        if policy is not None:
            return policy, 'acl.default_policy is "allow"', 'set default_policy = "deny"'
        return (
            acl_key,
            'acl.default_policy is not set and defaults to "allow"',
            'add default_policy = "deny" to the acl block',
        )

    @staticmethod
    def _helm_managed(doc: Document) -> bool:
        glob = doc.root.get("global")
        acls = glob.get("acls") if isinstance(glob, Mapping) else None
        return isinstance(acls, Mapping) and truthy(acls.get("manageSystemACLs"))

    @staticmethod
    def _helm_problem(doc: Document) -> tuple[Node | None, str]:
        server = doc.root.get("server")
        extra = server.get("extraConfig") if isinstance(server, Mapping) else None
        if extra is not None and "acl" in str(getattr(extra, "value", "")):
            return None, ""  # ACLs configured by hand through extraConfig: cannot judge
        glob = doc.root.get("global")
        if not isinstance(glob, Mapping):
            return None, ""
        acls = glob.get("acls")
        managed = acls.get("manageSystemACLs") if isinstance(acls, Mapping) else None
        if managed is not None:
            return managed, "global.acls.manageSystemACLs is not true, so ACLs are disabled"
        return (
            glob.key("acls") or glob.key("peering") or doc.root.key("global")
        ), "global.acls.manageSystemACLs is not set, so ACLs are disabled"
