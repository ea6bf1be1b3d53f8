"""PL401: a service exported to a peer that no intention lets any source of that peer
call.

Exporting makes a service visible to a peer; only an intention with ``Peer`` lets the
peer's services connect (seed 001, "Authorize services for peers"). A local source of
the same name is another identity and does not count (consul-semantics §2.2).
"""

from __future__ import annotations

import json
import posixpath
import re
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
from linter.api.fixes import editable, line_of, new_file, source_of
from linter.api.helm import install_for
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
    reads = ("graph", "texts", "files", "service-intentions", "ServiceIntentions", AGENT_CONFIG, HELM_VALUES)
    scope = "peers"
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

The fix (unsafe: it allows traffic) adds the peer's callers found in the repository as
sources of the destination's intentions, in that file's syntax; when the destination
has no intentions entry, it creates one in a new file beside the cluster's entries (a
config entry in their syntax, or a `ServiceIntentions` resource on Kubernetes), never
over an existing file.

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
        return f"{{name: {_yaml(name)}, peer: {_yaml(peer)}, action: allow}}"
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
        created = _new_entry(project, export, peer, names) if names else None
        where = f" in a new file {created.path}" if created is not None else ""
        edits = (created,) if created is not None else ()
        if export.doc.category == "crd":
            entries = ", ".join(_entry("yaml", n, peer, False) for n in shown)
            return Fix(
                f"create a ServiceIntentions resource{where} with spec.destination.name: {export.service} "
                f"and spec.sources: [{entries}]",
                edits,
                safe=False,
            )
        syntax = "json" if created is not None and export.doc.syntax == "json" else "hcl"
        lower = _lower(export.doc)
        entries = ", ".join(_entry(syntax, n, peer, lower) for n in shown)
        kind, name, sources = ("kind", "name", "sources") if lower else ("Kind", "Name", "Sources")
        head = (
            f'"{kind}": "service-intentions", "{name}": "{export.service}", "{sources}": '
            if syntax == "json"
            else f'{kind} = "service-intentions", {name} = "{export.service}", {sources} = '
        )
        return Fix(f"create a service-intentions config entry{where}: {head}[{entries}]", edits, safe=False)
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
    plain = all(_SOURCE_NAME.match(n) for n in [peer, *names])  # else quoting and escaping: left to a human
    edits = _add_sources(doc, text, holder, key, entries) if names and plain and text is not None else ()
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


def _after_flow_item(path: str, text: str, last: Node, entries: list[str]) -> tuple[Edit, ...]:
    """The sources after the last item of a YAML flow sequence (``sources: [{...}]``),
    when that item ends on its line right before the ``]`` or a ``,`` (else no edit)."""
    end_line, end_col = last.span.end_line, last.span.end_col
    if not isinstance(last, Mapping) or not source_of(text, last.span).rstrip().endswith("}"):
        return ()
    rest = line_of(text, end_line)[end_col - 1 :].lstrip()
    if not rest.startswith("]"):
        return ()
    return (Edit(path, Span(end_line, end_col, end_line, end_col), "".join(f", {e}" for e in entries)),)


def _after_line(path: str, text: str, line: int, lines: str) -> Edit:
    """Insert whole ``lines`` after line ``line``; after a last line with no line
    break, one goes first (else the first new line would join it)."""
    if line >= text.count("\n") + 1 and not text.endswith("\n"):
        return Edit(path, Span(line, len(line_of(text, line)) + 1, line, len(line_of(text, line)) + 1), "\n" + lines)
    return Edit(path, Span(line + 1, 1, line + 1, 1), lines)


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
                return _after_flow_item(path, text, last, entries)  # sources: [{...}]
            end = _last_line(last)
            lines = "".join(f"{' ' * dash}- {e[1:-1].replace(', ', chr(10) + ' ' * (dash + 2))}\n" for e in entries)
            return (_after_line(path, text, end, lines),)
        at = Span(last.span.end_line, last.span.end_col, last.span.end_line, last.span.end_col)
        row = line_of(text, last.span.line)
        if last.span.line != value.span.line and not row[: last.span.col - 1].strip():
            indent = row[: last.span.col - 1]
            return (Edit(path, at, "".join(f",\n{indent}{e}" for e in entries)),)
        return (Edit(path, at, "".join(f", {e}" for e in entries)),)
    if value is not None:
        if isinstance(value, Sequence) and source_of(text, value.span).replace(" ", "") == "[]":  # Sources = []
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
        return (_after_line(path, text, end, f"{indent}{key}:\n{items}"),)
    at = Span(last_value.span.end_line, last_value.span.end_col, last_value.span.end_line, last_value.span.end_col)
    indent = line_of(text, last_key.span.line)[: last_key.span.col - 1]
    if indent.strip():
        return ()
    if doc.syntax == "json":
        return (Edit(path, at, f',\n{indent}"{key}": [' + ", ".join(entries) + "]"),)
    return (Edit(path, at, f"\n{indent}{key} = [\n" + "".join(f"{indent}  {e},\n" for e in entries) + f"{indent}]"),)


#: A service or peer name written into a source as it is (no quoting or escaping needed).
_SOURCE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\Z")
#: A name that can be part of a file name, and be written bare in YAML, as it is.
_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,62}\Z")
#: A Kubernetes object name (DNS-1123 label) that is also a plain file name.
_K8S_NAME = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\Z")


def _new_entry(project, export, peer: str, names: list[str]) -> Edit | None:
    """The edit creating the destination's intentions entry when it has none, in the
    form the exporting cluster writes its entries: a ServiceIntentions resource (YAML)
    beside its Kubernetes resources, a config entry in the exporting entry's syntax
    (HCL or JSON, its key spelling) beside its config entries. None when that form or
    place is not plain: a file of the project does not parse (it may hold the entry), an
    entry embedded in an agent configuration, a service name
    that is no plain file name, a namespace (Consul Enterprise) on the export or in the
    install, or both file names taken."""
    edoc = export.doc
    service = export.service
    if project.problems:
        return None  # a file that does not parse may be the entry: never a second one
    plain = _K8S_NAME if edoc.category == "crd" else _FILE_NAME
    if edoc.parent is not None or export.service_node is None or not plain.match(service):
        return None
    if not all(_FILE_NAME.match(n) for n in [peer, *names]):
        return None  # a name YAML or HCL would need quoting or escaping in: left to a human
    holder = export.service_node.parent
    if isinstance(holder, Mapping) and holder.get("Namespace") is not None:
        return None
    crd = edoc.category == "crd"
    if crd and edoc.syntax != "yaml":
        return None
    install = install_for(project, export.cluster) if crd else None
    if install is not None and install.truthy("global.enableConsulNamespaces"):
        return None  # the resource's Kubernetes namespace may pick the Consul one
    folder = _folder(project, export, crd)
    ext = posixpath.splitext(edoc.path)[1].lower() if crd else "." + edoc.syntax
    for stem in (f"intentions-{service}", f"service-intentions-{service}"):
        path = posixpath.join(folder, stem + ext)  # display paths use / everywhere
        if path not in project.texts:
            break
    else:
        return None
    if crd:
        text = _crd_text(edoc, service, peer, names)
    else:
        text = _entry_text(edoc, service, peer, names)
    return new_file(path, text)


def _folder(project, export, crd: bool) -> str:
    """Where the cluster keeps its intentions (the folder of another destination's
    entry of the same form, syntax and partition), else the exporting entry's folder."""
    for doc in project.of("service-intentions", "ServiceIntentions"):
        if (
            doc.cluster == export.cluster
            and (doc.partition or "default") == (export.partition or "default")
            and (doc.category == "crd") == crd
            and doc.parent is None
            and doc.syntax == export.doc.syntax
        ):
            return posixpath.dirname(doc.path)
    return posixpath.dirname(export.doc.path)


_YAML_WORDS = re.compile(r"(y|n|yes|no|true|false|on|off|null|~|[-+]?[0-9][0-9_.:e+-]*)\Z", re.I)


def _yaml(value: str) -> str:
    """``value`` as a YAML scalar that reads back as this string in YAML 1.1 too
    (Kubernetes reads ``no`` and ``on`` as booleans): quoted when it would not."""
    return json.dumps(value) if _YAML_WORDS.match(value) else value


def _crd_text(edoc: Document, service: str, peer: str, names: list[str]) -> str:
    """A ServiceIntentions resource: the exporting resource's apiVersion and namespace."""
    api = edoc.root.get("apiVersion")
    version = api.value if isinstance(api, Scalar) and isinstance(api.value, str) else "consul.hashicorp.com/v1alpha1"
    meta = edoc.root.get("metadata")
    namespace = meta.get("namespace") if isinstance(meta, Mapping) else None
    lines = [f"apiVersion: {version}", "kind: ServiceIntentions", "metadata:", f"  name: {_yaml(service)}"]
    if isinstance(namespace, Scalar) and isinstance(namespace.value, str) and _K8S_NAME.match(namespace.value):
        lines.append(f"  namespace: {_yaml(namespace.value)}")
    lines += ["spec:", "  destination:", f"    name: {_yaml(service)}", "  sources:"]
    for name in names:
        lines += [f"    - name: {_yaml(name)}", f"      peer: {_yaml(peer)}", "      action: allow"]
    return "\n".join(lines) + "\n"


def _entry_text(edoc: Document, service: str, peer: str, names: list[str]) -> str:
    """A service-intentions config entry in the exporting entry's syntax and key
    spelling, with its ``Partition`` when it names one."""
    lower = _lower(edoc)
    keys = ("kind", "name", "partition", "sources") if lower else ("Kind", "Name", "Partition", "Sources")
    part = edoc.root.get("Partition")
    partition = part.value if isinstance(part, Scalar) and isinstance(part.value, str) and part.value else None
    head = [(keys[0], "service-intentions"), (keys[1], service)] + ([(keys[2], partition)] if partition else [])
    entries = [_entry(edoc.syntax, n, peer, lower) for n in names]
    if edoc.syntax == "json":
        body = [f"  {json.dumps(k)}: {json.dumps(v)}," for k, v in head]
        items = ",\n".join(f"    {e}" for e in entries)
        return "{\n" + "\n".join(body) + f'\n  "{keys[3]}": [\n{items}\n  ]\n}}\n'
    body = [f"{k} = {json.dumps(v)}" for k, v in head]
    return "\n".join(body) + f"\n{keys[3]} = [\n" + "".join(f"  {e},\n" for e in entries) + "]\n"
