"""PL002: config entry or consul.hashicorp.com kinds that Consul does not know."""

from __future__ import annotations

from typing import Iterator

from linter.api import CONFIG_ENTRY, CRD, Finding, Fix, Rule
from linter.api.fixes import scalar_edits
from linter.api.validation import CONFIG_ENTRY_KINDS, CRD_KIND_TABLE, CRD_KINDS, did_you_mean

#: The API groups consul-k8s's chart serves kinds in: an apiVersion of another group
#: (``api-gateway.consul.hashicorp.com``, the separate consul-api-gateway project's)
#: is not judged by consul-k8s's table.
_GROUPS = frozenset(api.split("/")[0] for served, *_rest in CRD_KIND_TABLE.values() for api in served)


class UnknownKind(Rule):
    code = "PL002"
    slug = "unknown-kind"
    summary = "Config entry Kind or consul.hashicorp.com CR kind that Consul does not know"
    severity = "error"
    reads = (CONFIG_ENTRY, CRD, "texts")
    scope = "file"  # tests/test_rule_scopes.py
    fix = "sometimes"  # a kind with one did-you-mean
    doc = """
## What it does
Flags a config entry whose `Kind` is not one of Consul's config entry kinds, and a
`consul.hashicorp.com` custom resource whose `kind` consul-k8s does not serve, with the
closest known kind, and a known kind under an apiVersion consul-k8s never served it
as (`TrafficPermissions` is `auth.consul.hashicorp.com/v2beta1`). The kinds and their
apiVersions are generated from consul-k8s's CRDs at every release (tools/gen_kinds.py),
so a kind of any consul-k8s version from the last 0.x on is known.

## Why is this bad?
Consul's `MakeConfigEntry` matches kinds exactly and answers
`invalid config entry kind: <kind>`; the Kubernetes API server refuses a kind with no
CRD (`no matches for kind`). Nothing else in the file takes effect.

**Assumes** the kinds of the Consul and consul-k8s releases peerlint's kind list was
taken from; a kind only a newer release knows is reported, with the closest known kind.

## References
- [Consul `agent/structs/config_entry.go`: `MakeConfigEntry`, `DecodeConfigEntry`](https://github.com/hashicorp/consul/blob/main/agent/structs/config_entry.go)
- [consul-k8s `control-plane/api/v1alpha1`: the custom resource kinds](https://github.com/hashicorp/consul-k8s/tree/main/control-plane/api/v1alpha1)
"""
    example = {
        "bad": {
            "exports.hcl": """\
Kind = "exported-service"
Name = "default"
Services = [{ Name = "web", Consumers = [{ Peer = "dc2" }] }]
""",
        },
        "good": {
            "exports.hcl": """\
Kind = "exported-services"
Name = "default"
Services = [{ Name = "web", Consumers = [{ Peer = "dc2" }] }]
""",
        },
    }

    def check(self, project) -> Iterator[Finding]:
        for doc in project.of(CONFIG_ENTRY):
            node = doc.kind_node()
            kind = getattr(node, "value", None)
            if not isinstance(kind, str):
                yield self.report(
                    doc.at(node),
                    "Kind value in payload is not a string",
                    fix='set Kind to a config entry kind such as "exported-services"',
                )
            elif kind not in CONFIG_ENTRY_KINDS:
                hint = did_you_mean(kind, CONFIG_ENTRY_KINDS)
                yield self.report(
                    doc.at(node),
                    f"invalid config entry kind: {kind}" + (f"; did you mean {hint!r}?" if hint else ""),
                    fix=Fix(_spelled(doc, hint), scalar_edits(project.texts, doc, node, hint, expect=kind))
                    if hint
                    else "use one of: " + ", ".join(CONFIG_ENTRY_KINDS),
                )
        for doc in project.of(CRD):
            api = doc.root.value("apiVersion", default="")
            served = CRD_KIND_TABLE.get(doc.kind, ((), "", "", ""))[0]
            if doc.kind in CRD_KINDS and served and api not in served and str(api).split("/")[0] in _GROUPS:
                yield self.report(
                    doc.at(doc.root.get("apiVersion")),
                    f"consul-k8s serves {doc.kind} as {' and '.join(served)}, not {api}: the API server has no {doc.kind} there",
                    fix=f"apiVersion: {served[0]}",
                )
                continue
            if doc.kind not in CRD_KINDS:
                node = doc.root.get("kind")
                hint = did_you_mean(doc.kind, CRD_KINDS)
                api = doc.root.value("apiVersion", default="")
                yield self.report(
                    doc.at(node),
                    f"consul-k8s has no kind {doc.kind!r} in {api}" + (f"; did you mean {hint!r}?" if hint else ""),
                    fix=Fix(f"kind: {hint}", scalar_edits(project.texts, doc, node, hint, expect=doc.kind))
                    if hint and node is not None
                    else "",
                )


def _spelled(doc, kind: str) -> str:
    """The fix in the file's syntax, with the key as the file writes it."""
    found = doc.root.entry("Kind")
    key = str(found[0].value) if found is not None else "Kind"
    if doc.syntax == "json":
        return f'use "{key}": "{kind}"'
    if doc.syntax == "yaml":
        return f"use {key}: {kind}"
    return f'use {key} = "{kind}"'
