"""PL603: connect-service-upstreams annotations the injector rejects, and peer
upstreams written in the unlabelled form, which has no peer field."""

from __future__ import annotations

from typing import Iterator

from linter.api import K8S_WORKLOAD, Edit, Finding, Fix, Rule, Scalar, versions
from linter.api.fixes import editable, source_of
from linter.api.helm import HelmValues, install_for, project_installs
from linter.api.k8s import (
    ANNOTATION,
    UpstreamAnnotation,
    parse_upstreams,
    part_span,
    unlabeled_peer_hint,
    workload_annotation_maps,
)


class UpstreamAnnotationRule(Rule):
    code = "PL603"
    slug = "upstream-annotation"
    summary = "connect-service-upstreams annotation the injector rejects, or a peer upstream in the unlabelled form"
    severity = "error"
    reads = (K8S_WORKLOAD, "PeeringAcceptor", "PeeringDialer", "helm-values", "texts")
    # a workload is judged by its own cluster's peerings and install; the datacenter names
    # come from the configuration and every Helm install (a change to those re-runs it all)
    scope = "cluster"  # tests/test_rule_scopes.py
    fix = "sometimes"  # a peer written in the unlabelled form, when namespaces are known off
    doc = """
## What it does
Parses `consul.hashicorp.com/connect-service-upstreams` exactly as consul-k8s's
endpoints controller does (the v2.0+ grammar with `?option=` strings, or the v1 grammar
when the cluster's `global.imageK8S` or `consul-k8s-version` is older), reading Consul
namespaces and admin partitions from the cluster's Helm values, and reports each entry
it rejects with the injector's message, pointing at the offending part of the value.
It also flags an unlabelled entry written as if it named a peer (`api.peer1.peer:9091`,
or a third part that names a peer of this cluster rather than a datacenter): the
unlabelled form has no peer field.

## Why is this bad?
A rejected entry aborts the service registration of every pod of the workload; v1
drops entries with a bad port silently and panics on an entry without a port. An
unlabelled "peer" upstream dials a local service that does not exist.

**Assumes** the consul-k8s version the cluster pins (`global.imageK8S`,
`consul-k8s-version`) for the annotation grammar; with none, the grammar of current
releases. Namespaces and partitions in an annotation are read as the cluster's Helm
values enable them.

## References
- [consul-k8s `control-plane/connect-inject/controllers/endpoints/endpoints_controller.go`: `processUpstreams`](https://github.com/hashicorp/consul-k8s/blob/main/control-plane/connect-inject/controllers/endpoints/endpoints_controller.go)
- [Consul docs: Kubernetes service upstreams (the `consul.hashicorp.com/connect-service-upstreams` annotation)](https://developer.hashicorp.com/consul/docs/connect/k8s/upstreams)
"""
    example = {
        "bad": {
            "web.yaml": """\
apiVersion: v1
kind: Pod
metadata:
  name: web
  annotations:
    consul.hashicorp.com/connect-inject: "true"
    consul.hashicorp.com/connect-service-upstreams: "backend.peer1.peer:9091"
spec:
  containers:
    - name: web
      image: web:1
""",
        },
        "good": {
            "web.yaml": """\
apiVersion: v1
kind: Pod
metadata:
  name: web
  annotations:
    consul.hashicorp.com/connect-inject: "true"
    consul.hashicorp.com/connect-service-upstreams: "backend.svc.peer1.peer:9091"
spec:
  containers:
    - name: web
      image: web:1
""",
        },
    }

    def check(self, project) -> Iterator[Finding]:
        self.texts = project.texts  # the files the fixes edit
        peers: dict[str, set[str]] = {}
        for doc in project.of("PeeringAcceptor", "PeeringDialer"):
            if doc.name:
                peers.setdefault(doc.cluster, set()).add(doc.name)
        datacenters = {c.datacenter for c in project.config.clusters.values()} | {
            str(v.value("global.datacenter")) for v in project_installs(project)
        }
        for doc in project.of(K8S_WORKLOAD):
            install = install_for(project, doc.cluster)
            version = versions.installed(install, project.config)[1]
            modes = self._modes(install)
            for notes in workload_annotation_maps(doc.root):
                for key, value in notes.items():
                    if key.value != ANNOTATION or not isinstance(value, Scalar) or not isinstance(value.value, str):
                        continue
                    text = value.value
                    parsed = [parse_upstreams(text, version=version, namespaces=m[0]) for m in modes]
                    for i, up in enumerate(parsed[0]):
                        if up.error is not None:
                            if all(p[i].error == up.error for p in parsed):
                                yield self.report(
                                    doc.at(_at(value, text, up.error.start, up.error.end)),
                                    up.error.message,
                                    fix="write <service>.svc[.<ns>.ns][.<peer>.peer|.<partition>.ap|.<dc>.dc]:<port>, entries separated by commas",
                                )
                            continue
                        yield from self._peer_forms(
                            doc, value, text, up, peers.get(doc.cluster, set()), datacenters, modes
                        )

    def _peer_forms(
        self, doc, value: Scalar, text: str, up: UpstreamAnnotation, peers: set[str], datacenters: set[str], modes: list
    ) -> Iterator[Finding]:
        ns_on = modes[0][0] if len(modes) == 1 else None
        hint = unlabeled_peer_hint(up)
        if hint is not None:
            pieces = hint.value.split(".")
            service, peer = pieces[0], pieces[-2]
            form = f"{service}.svc.default.ns.{peer}.peer" if ns_on else f"{service}.svc.{peer}.peer"
            advice = f"use the labelled form {form}:{up.port.value if up.port else '<port>'}" + (
                "" if ns_on is not None else " (with namespaces or partitions on: <svc>.svc.<ns>.ns.<peer>.peer)"
            )
            # rewritten only when namespaces are known off: with them on the peer's
            # namespace would be a guess
            edits = self._rewrite(doc, value, text, hint.start, hint.end, form) if ns_on is False else ()
            yield self.report(
                doc.at(_at(value, text, hint.start, hint.end)),
                f"the unlabelled upstream form has no peer: {hint.value!r} is read as a local service name, not service {service!r} of peer {peer!r}",
                fix=Fix(advice, edits),
            )
        elif (
            up.form == "unlabeled"
            and up.datacenter is not None
            and up.datacenter.value in peers
            and up.datacenter.value not in datacenters
        ):
            dc = up.datacenter
            service = up.service.value if up.service else "<service>"
            labelled = f"{service}.svc.{dc.value}.peer:{up.port.value if up.port else '<port>'}"
            edits = (
                self._rewrite(doc, value, text, up.target.start, dc.end, labelled)
                if ns_on is False and up.service and up.port and up.target
                else ()
            )
            yield self.report(
                doc.at(_at(value, text, dc.start, dc.end)),
                f"{dc.value!r} is a peer of this cluster, but the third part of an unlabelled upstream is a datacenter: the unlabelled form has no peer",
                fix=Fix(f"use the labelled form {labelled}", edits),
            )

    def _rewrite(self, doc, value: Scalar, text: str, start: int, end: int, new: str) -> tuple[Edit, ...]:
        """The edit replacing text[start:end] of the annotation value in its file, when
        that part is exactly where :func:`part_span` puts it (a value on one line, no
        escapes); else none."""
        source = editable(self.texts, doc)
        span = part_span(value, text, start, end)
        if source is None or span.line != span.end_line or source_of(source, span) != text[start:end]:
            return ()
        return (Edit(doc.path, span, new),)

    @staticmethod
    def _modes(install: HelmValues | None) -> list[tuple[bool]]:
        """Whether namespaces or partitions are on, as the cluster's values say; both
        readings when no values file sets either (an error must hold in both)."""
        keys = ("global.enableConsulNamespaces", "global.adminPartitions.enabled")
        if install is None or install.where(*keys) is None:
            return [(False,), (True,)]
        return [(any(install.truthy(k) for k in keys),)]


class _Located(Scalar):
    """A stand-in node with the span of one part of an annotation value (a finding's
    range) and the annotation's node path (its identity)."""

    __slots__ = ()


def _at(value: Scalar, text: str, start: int, end: int) -> Scalar:
    node = _Located(text[start:end], part_span(value, text, start, end))
    node.path = value.path
    node.parent = value.parent
    return node
