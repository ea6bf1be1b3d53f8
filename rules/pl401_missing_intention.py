"""PL401: a service exported to a peer that no intention lets any source of that peer
call.

Exporting makes a service visible to a peer; only an intention with ``Peer`` lets the
peer's services connect (seed 001, "Authorize services for peers"). A local source of
the same name is another identity and does not count (consul-semantics §2.2).
"""

from __future__ import annotations

from typing import Iterator

from linter.api import (
    AGENT_CONFIG,
    HELM_VALUES,
    Document,
    Edit,
    Finding,
    Fix,
    Mapping,
    Node,
    Rule,
    Scalar,
    Sequence,
    Span,
)
from linter.api.acl import acl_state
from linter.api.fixes import editable, line_of
from linter.api.topology import peer_upstreams_to

#: peerlint.toml, the same in the bad and the good example
_PEERLINT_TOML = """\
[clusters.cluster-01]
paths = ["cluster-01"]
[clusters.cluster-02]
paths = ["cluster-02"]
[[peerings]]
a = "cluster-01"
b = "cluster-02"
"""
#: cluster-01/server.hcl, the same in the bad and the good example
_CLUSTER_01_SERVER_HCL = """\
datacenter = "cluster-01"
acl {
  enabled = true
  default_policy = "deny"
}
"""


class MissingIntention(Rule):
    code = "PL401"
    slug = "missing-intention"
    summary = "A service exported to a peer with no intention allowing any source from that peer"
    severity = "error"
    reads = ("graph", "texts", "service-intentions", "ServiceIntentions", AGENT_CONFIG, HELM_VALUES)
    fix = "unsafe"  # adding an intention source changes what traffic is allowed
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
- [Consul docs: Establish cluster peering connections (authorize services for peers)](https://developer.hashicorp.com/consul/docs/east-west/cluster-peering/establish/vm)
- [Consul `agent/structs/config_entry_intentions.go`: `ServiceIntentionsConfigEntry`](https://github.com/hashicorp/consul/blob/main/agent/structs/config_entry_intentions.go)
"""
    example = {
        "bad": {
            "peerlint.toml": _PEERLINT_TOML,
            "cluster-01/server.hcl": _CLUSTER_01_SERVER_HCL,
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
            "peerlint.toml": _PEERLINT_TOML,
            "cluster-01/server.hcl": _CLUSTER_01_SERVER_HCL,
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
                fix=_fix(project, export, peer, names),
            )


def _intentions_doc(project, export) -> Document | None:
    """The service-intentions config entry or ServiceIntentions resource of the
    exported service, in its cluster and partition (the file to edit)."""
    for doc in project.of("service-intentions", "ServiceIntentions"):
        if doc.cluster != export.cluster or (doc.partition or "default") != (export.partition or "default"):
            continue
        if doc.category == "crd":
            dest = doc.spec.get("destination")
            name = dest.get("name") if isinstance(dest, Mapping) else None
        else:
            name = doc.root.get("Name")
        if isinstance(name, Scalar) and name.value == export.service:
            return doc
    return None


def _entry(syntax: str, name: str, peer: str, lower: bool) -> str:
    """One source allowing ``name`` from ``peer``, in the file's syntax."""
    if syntax == "yaml":
        return f"{{name: {name}, peer: {peer}, action: allow}}"
    keys = ("name", "peer", "action") if lower else ("Name", "Peer", "Action")
    if syntax == "json":
        return "{" + ", ".join(f'"{k}": "{v}"' for k, v in zip(keys, (name, peer, "allow"))) + "}"
    return "{ " + ", ".join(f'{k} = "{v}"' for k, v in zip(keys, (name, peer, "allow"))) + " }"


def _fix(project, export, peer: str, names: list[str]) -> Fix:
    """Advice in the syntax of the intentions file, naming it, and the edits adding the
    sources there (unsafe: it allows traffic). Without an intentions file for the
    service, or without the names of the peer's callers, advice only."""
    doc = _intentions_doc(project, export)
    shown = names or ["<service>"]
    blocks = " ".join(f'sources {{ name = "{n}", peer = "{peer}", action = "allow" }}' for n in shown)
    if doc is not None and str(doc.extra.get("terraform", "")).startswith("consul_config_entry_service_intentions."):
        # Terraform's sources blocks, added before the resource's closing brace
        text = editable(project.texts, doc)
        edits = _add_source_blocks(doc, text, names, peer) if names and text is not None else ()
        return Fix(f"add to {doc.extra['terraform']} in {doc.path}: {blocks}", edits, safe=False)
    if doc is None:
        if "terraform" in export.doc.extra:
            return Fix(
                f'add a consul_config_entry_service_intentions resource with name = "{export.service}" and {blocks}',
                safe=False,
            )
        if export.doc.category == "crd":
            entries = ", ".join(_entry("yaml", n, peer, False) for n in shown)
            return Fix(
                f"create a ServiceIntentions resource with spec.destination.name: {export.service} "
                f"and spec.sources: [{entries}]",
                safe=False,
            )
        entries = ", ".join(_entry("hcl", n, peer, False) for n in shown)
        return Fix(
            f'create a service-intentions config entry: Kind = "service-intentions", Name = "{export.service}", '
            f"Sources = [{entries}]",
            safe=False,
        )
    crd = doc.category == "crd"
    holder = doc.spec if crd else doc.root
    key = "sources" if crd or _lower(doc) else "Sources"
    found = holder.entry("sources")
    if found is not None:
        key = str(found[0].value)
    entries = [_entry(doc.syntax, n, peer, _lower(doc)) for n in shown]
    where = f"spec.{key}" if crd else key
    message = f"add to {where} in {doc.path}: " + ", ".join(entries)
    text = editable(project.texts, doc)
    edits = _add_sources(doc, text, holder, key, entries) if names and text is not None else ()
    return Fix(message, edits, safe=False)


def _add_source_blocks(doc: Document, text: str, names: list[str], peer: str) -> tuple[Edit, ...]:
    """``sources {}`` blocks inserted before the closing brace of a Terraform
    ``consul_config_entry_service_intentions`` resource (its span is the block's),
    indented like its ``name`` argument; nothing when the brace is not alone on its line."""
    end = doc.root.span
    first = doc.root.key("Name")  # the resource's name argument
    if first is None or line_of(text, end.end_line).strip() != "}":
        return ()
    indent = line_of(text, first.span.line)[: first.span.col - 1]
    if indent.strip():
        return ()
    blocks = "".join(
        f'\n{indent}sources {{\n{indent}  name   = "{n}"\n{indent}  peer   = "{peer}"\n{indent}  action = "allow"\n{indent}}}\n'
        for n in names
    )
    return (Edit(doc.path, Span(end.end_line, 1, end.end_line, 1), blocks),)


def _lower(doc: Document) -> bool:
    """Whether the config entry spells its keys in lower case (``kind``, ``name``)."""
    kind = doc.root.entry("kind")
    return kind is not None and str(kind[0].value).islower()


def _last_line(node: Node) -> int:
    """The last line holding any scalar of ``node`` (a YAML mapping's span may run on
    to the next line)."""
    if isinstance(node, Mapping):
        return max([_last_line(v) for _k, v in node.entries] + [node.span.line])
    if isinstance(node, Sequence):
        return max([_last_line(i) for i in node.items] + [node.span.line])
    return node.span.end_line


def _add_sources(doc: Document, text: str, holder: Mapping, key: str, entries: list[str]) -> tuple[Edit, ...]:
    path = doc.path
    found = holder.entry(key)
    value = found[1] if found is not None else None
    if isinstance(value, Sequence) and value.items:
        last = value.items[-1]
        if doc.syntax == "yaml":
            row = line_of(text, last.span.line)
            dash = row.rfind("-", 0, last.span.col - 1)
            if dash < 0 or row[:dash].strip():
                return ()  # a flow sequence: left to a human
            end = _last_line(last)
            lines = "".join(f"{' ' * dash}- {e[1:-1].replace(', ', chr(10) + ' ' * (dash + 2))}\n" for e in entries)
            return (Edit(path, Span(end + 1, 1, end + 1, 1), lines),)
        at = Span(last.span.end_line, last.span.end_col, last.span.end_line, last.span.end_col)
        row = line_of(text, last.span.line)
        if last.span.line != value.span.line and not row[: last.span.col - 1].strip():
            indent = row[: last.span.col - 1]
            return (Edit(path, at, "".join(f",\n{indent}{e}" for e in entries)),)
        return (Edit(path, at, "".join(f", {e}" for e in entries)),)
    if value is not None:
        if isinstance(value, Sequence) and doc.syntax != "yaml":  # Sources = []
            return (Edit(path, value.span, "[" + ", ".join(entries) + "]"),)
        return ()
    if not holder.entries:
        return ()
    last_key, last_value = holder.entries[-1]
    if doc.syntax == "yaml":
        indent = " " * (last_key.span.col - 1)
        row = line_of(text, last_key.span.line)
        if row[: last_key.span.col - 1].strip():
            return ()
        end = _last_line(last_value)
        items = "".join(f"{indent}  - {e[1:-1].replace(', ', chr(10) + indent + '    ')}\n" for e in entries)
        return (Edit(path, Span(end + 1, 1, end + 1, 1), f"{indent}{key}:\n{items}"),)
    at = Span(last_value.span.end_line, last_value.span.end_col, last_value.span.end_line, last_value.span.end_col)
    indent = line_of(text, last_key.span.line)[: last_key.span.col - 1]
    if indent.strip():
        return ()
    if doc.syntax == "json":
        return (Edit(path, at, f',\n{indent}"{key}": [' + ", ".join(entries) + "]"),)
    return (Edit(path, at, f"\n{indent}{key} = [\n" + "".join(f"{indent}  {e},\n" for e in entries) + f"{indent}]"),)
