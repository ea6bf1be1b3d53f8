"""consul-k8s webhooks: ServiceResolver (``serviceresolver_types.go`` ``Validate``):
failover, redirect, subsets, load balancer hash policies, and the namespace and
partition fields an install without them refuses. The checks against the webhook's
partition came with consul-k8s 1.2.0 (silent for an older known version): on an
install without partitions that partition is "", so consul-k8s refuses failover
``datacenters`` there too (hashicorp/consul#21683). The fields that may not be set
together (redirect and failover, a redirect's or a failover target's peer with
partition, datacenter or subset, targets with the older fields) are PL106's
(``linter/model/conflicts.py``).

The hash policy ``field`` and the locality and failover policy modes are the schema's
enums (``schemas/crd-serviceresolver.json``). Not checked: a subset ``filter`` that
go-bexpr cannot parse (its grammar is not reproduced here).
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from linter.constraints import Context, Violation, checks
from linter.constraints.k8s import SPEC, as_json, invalid, invalid_absent, obj, seq, since, text, turned_off

SUBSET_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
SUBSET_HELP = (
    "subset name must begin or end with lower case alphanumeric characters, "
    "and contain lower case alphanumeric characters or '-' in between"
)
EMPTY_FAILOVER = "service, serviceSubset, namespace, datacenters, policy, and targets cannot all be empty at once"
_DURATION = re.compile(r"([0-9]*\.?[0-9]+)(ns|us|µs|μs|ms|s|m|h)")
_UNITS = {"ns": 1, "us": 1e3, "µs": 1e3, "μs": 1e3, "ms": 1e6, "s": 1e9, "m": 60e9, "h": 3600e9}


def duration_ns(value: Any) -> float | None:
    """A Go ``time.ParseDuration`` string in nanoseconds; None when it is not one."""
    if not isinstance(value, str) or not value:
        return None
    sign, body = (-1, value[1:]) if value[0] == "-" else (1, value.lstrip("+"))
    if body == "0":
        return 0.0
    parts = _DURATION.findall(body)
    if not parts or "".join(n + u for n, u in parts) != body:
        return None
    return sign * sum(float(n) * _UNITS[u] for n, u in parts)


def failover(data: Any, key: str, body: dict, context: Context) -> Iterator[Violation]:
    """``ServiceResolverFailover.validate`` for ``spec.failover[key]``."""
    path = SPEC + ("failover", key)
    where = f"spec.failover[{key}]"
    datacenters, targets = seq(body.get("datacenters")), seq(body.get("targets"))
    empty = not any(text(body.get(f)) for f in ("service", "serviceSubset", "namespace", "samenessGroup"))
    if empty and not datacenters and not targets and "policy" not in body:
        yield invalid(
            data, path, where, "{}", EMPTY_FAILOVER, kind="missing", fix="set service, datacenters or targets"
        )
    if context.partition is not None and context.partition != "default" and datacenters and since(context, 1, 2):
        detail = "cross-datacenter failover is only supported in the default partition"
        fix = (
            'the webhook\'s partition is not "default" (without admin partitions it is empty); '
            "it accepts the same failover written as targets: [{datacenter: ...}]"
        )
        yield invalid(data, path + ("datacenters",), f"{where}.datacenters", datacenters, detail, fix=fix, at_key=True)
    for i, dc in enumerate(datacenters):
        if dc == "":
            yield invalid(data, path + ("datacenters", i), f"{where}.datacenters[{i}]", "", "found empty datacenter")


def redirect(data: Any, body: dict, context: Context) -> Iterator[Violation]:
    """``ServiceResolverRedirect.validate``."""
    path, where = SPEC + ("redirect",), "spec.redirect"
    fields = {
        f: text(body.get(f))
        for f in ("service", "serviceSubset", "namespace", "partition", "datacenter", "peer", "samenessGroup")
    }
    if not any(fields.values()):
        yield invalid(
            data, path, where, "{}", "service resolver redirect cannot be empty", kind="missing", fix="set service"
        )
    partition, dc = (context.partition if since(context, 1, 2) else None), fields["datacenter"]
    if partition is not None and partition not in ("default", "") and dc:
        detail = "cross-datacenter redirect is only supported in the default partition"
        yield invalid(data, path + ("datacenter",), f"{where}.datacenter", dc, detail, fix="redirect to a peer instead")
    if partition is not None and partition != fields["partition"] and dc:
        detail = "cross-datacenter and cross-partition redirect is not supported"
        at = path + ("partition",) if "partition" in body else path + ("datacenter",)
        yield invalid(
            data,
            at,
            f"{where}.partition",
            fields["partition"],
            detail,
            fix="redirect within this partition, or to a peer",
        )
    pairs = (
        ("samenessGroup", "serviceSubset", "partition", "datacenter"),
        ("peer", "serviceSubset", "partition", "datacenter"),
    )
    if any(fields[first] and fields[other] for first, *others in pairs for other in others):
        return  # Go's switch stops at a pair set together (PL106 reports it)
    if not fields["service"]:
        for name in ("serviceSubset", "namespace", "partition", "peer"):
            if fields[name]:
                yield invalid_absent(
                    data, path, "service", where, as_json(body), f"{name} defined without service", fix="set service"
                )


def subsets(data: Any, spec: dict) -> Iterator[Violation]:
    """``ServiceResolverSubsetMap.validate``: subset names (the filter's grammar is not checked)."""
    for name in obj(spec.get("subsets")):
        path = SPEC + ("subsets", name)
        if name == "":
            yield invalid(data, path, f"spec.subsets[{name}]", name, "subset defined with empty name")
        if not SUBSET_NAME.match(name):
            yield invalid(data, path, f"spec.subsets[{name}]", name, SUBSET_HELP)


def hash_policies(data: Any, spec: dict) -> Iterator[Violation]:
    """``HashPolicy.validate`` and ``CookieConfig.validate``."""
    for i, policy in enumerate(seq(obj(spec.get("loadBalancer")).get("hashPolicies"))):
        policy = obj(policy)
        path = SPEC + ("loadBalancer", "hashPolicies", i)
        where = f"spec.loadBalancer.hashPolicies[{i}]"
        if text(policy.get("field")):
            if policy.get("sourceIP") is True:
                yield invalid(
                    data,
                    path + ("sourceIP",),
                    where,
                    as_json(policy),
                    "cannot set both field and sourceIP",
                    kind="conflict",
                    fix="remove sourceIP or field",
                )
            elif not text(policy.get("fieldValue")):
                detail = "fieldValue cannot be empty if field is set"
                if "fieldValue" in policy:
                    yield invalid(
                        data,
                        path + ("fieldValue",),
                        f"{where}.fieldValue",
                        "",
                        detail,
                        kind="missing",
                        fix="set fieldValue",
                    )
                else:
                    yield invalid_absent(
                        data, path, "fieldValue", f"{where}.fieldValue", "", detail, fix="set fieldValue"
                    )
        cookie = policy.get("cookieConfig")
        if isinstance(cookie, dict) and cookie.get("session") is True and (duration_ns(cookie.get("ttl")) or 0) > 0:
            yield invalid(
                data,
                path + ("cookieConfig", "ttl"),
                f"{where}.cookieConfig",
                as_json(cookie),
                "cannot set both session and ttl",
                kind="conflict",
                fix="remove ttl: a session cookie has none",
            )


def enterprise_fields(data: Any, spec: dict, context: Context) -> Iterator[Violation]:
    """``validateEnterprise``: namespace and partition fields an install without them
    refuses (on an Enterprise cluster; PL109 reports them on CE)."""
    redirect_body = obj(spec.get("redirect"))
    if turned_off(context, "namespaces_enabled"):
        if text(redirect_body.get("namespace")):
            detail = "Consul Enterprise namespaces must be enabled to set redirect.namespace"
            yield invalid(
                data, SPEC + ("redirect", "namespace"), "spec.redirect.namespace", redirect_body["namespace"], detail
            )
        for key, body in obj(spec.get("failover")).items():
            if text(obj(body).get("namespace")):
                detail = "Consul Enterprise namespaces must be enabled to set failover.namespace"
                path = SPEC + ("failover", key, "namespace")
                yield invalid(data, path, f"spec.failover[{key}].namespace", body["namespace"], detail)
    if turned_off(context, "partitions_enabled") and text(redirect_body.get("partition")):
        detail = "Consul Enterprise partitions must be enabled to set redirect.partition"
        yield invalid(
            data, SPEC + ("redirect", "partition"), "spec.redirect.partition", redirect_body["partition"], detail
        )


@checks("crd-serviceresolver")
def service_resolver(data: Any, context: Context) -> Iterator[Violation]:
    """``ServiceResolver.Validate`` (the parts the schema does not hold)."""
    spec = obj(obj(data).get("spec"))
    failovers = obj(spec.get("failover"))
    for key, body in failovers.items():
        if isinstance(body, dict):
            yield from failover(data, key, body, context)
    if isinstance(spec.get("redirect"), dict):
        yield from redirect(data, spec["redirect"], context)
    yield from subsets(data, spec)
    yield from hash_policies(data, spec)
    yield from enterprise_fields(data, spec, context)
