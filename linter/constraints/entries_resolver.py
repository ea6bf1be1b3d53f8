"""service-resolver: ``ServiceResolverConfigEntry.Validate`` (agent/structs
config_entry_discoverychain.go) and the CE build's ``ValidateEnterprise`` hooks
(config_entry_discoverychain_ce.go), in Consul's words.

Covered here: subset names and filters, DefaultSubset, the redirect's shape (empty,
a subset or peer without a service, a subset of this service that does not exist),
each failover (its subset key, empty, a subset of this service that does not exist,
targets' subsets, empty datacenters), negative timeouts, the load balancer (policy,
ring-hash / least-request config for another policy, hash policies), and on a cluster
known to run CE the Enterprise-only fields (namespace, partition, sameness group,
failover policy, prioritize-by-locality). The field pairs Consul refuses together
(``Peer`` with ``Datacenter``, ``Targets`` with ``Datacenters``, ...) are PL106's
(linter/model/conflicts.py); they are not repeated here.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from linter.constraints import Context, Violation, checks
from linter.constraints.entries_bexpr import filter_error
from linter.constraints.entries_common import duration, go_duration, is_set, mapping, quote, text

SUBSET_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
SUBSET_MAX = 63
LB_POLICIES = ("", "random", "round_robin", "least_request", "ring_hash", "maglev")
HASH_FIELDS = ("header", "cookie", "query_parameter")
HASH_BASED = ("maglev", "ring_hash")
ENTERPRISE = "requires Consul Enterprise"


@checks("entry-service-resolver")
def service_resolver(data: Any, context: Context) -> Iterator[Violation]:
    if not isinstance(data, dict):
        return
    name = text(data, "Name")
    if not name:
        anchor = ("Name",) if "Name" in data else ()
        yield Violation(
            "missing", ("Name",), "Name is required", fix="set Name to the service this resolver is for", anchor=anchor
        )
    subsets = data.get("Subsets") if isinstance(data.get("Subsets"), dict) else {}
    yield from _subsets(subsets)
    default = text(data, "DefaultSubset")
    if default and default not in subsets:
        yield Violation(
            "value",
            ("DefaultSubset",),
            f"DefaultSubset {quote(default)} is not a valid subset",
            fix=f"define a subset named {quote(default)} under Subsets, or name an existing one",
        )
    ce = context.known_ce
    if "Redirect" in data and isinstance(data["Redirect"], dict):
        yield from _redirect(data["Redirect"], name, subsets, ce, data)
    failover = data.get("Failover")
    if isinstance(failover, dict):
        for key, entry in failover.items():
            if isinstance(entry, dict):
                yield from _failover(str(key), entry, name, subsets, ce, data)
    for field in ("ConnectTimeout", "RequestTimeout"):
        if duration(data, field) < 0:
            yield Violation(
                "value", (field,), f"Bad {field} '{data[field]}', must be >= 0", fix=f"set {field} to 0 or more"
            )
    lb = mapping(data, "LoadBalancer")
    if lb is not None:
        yield from _load_balancer(lb)
    locality = mapping(data, "PrioritizeByLocality")
    if ce and locality and is_set(locality.get("Mode")):
        yield Violation(
            "value",
            ("PrioritizeByLocality",),
            f"Prioritize-by-locality {ENTERPRISE}",
            fix="remove PrioritizeByLocality: Consul CE does not have it",
        )


def _subsets(subsets: dict) -> Iterator[Violation]:
    for key, subset in subsets.items():
        name = str(key)
        if name == "":
            yield Violation(
                "value",
                ("Subsets", key),
                "Subset defined with empty name",
                fix="name the subset",
                anchor=("Subsets", key),
            )
            continue
        if len(name) > SUBSET_MAX or not SUBSET_NAME.match(name):
            reason = (
                "must be non-empty and 63 characters or fewer"
                if len(name) > SUBSET_MAX
                else "must be 63 characters or fewer, begin or end with lower case alphanumeric characters, "
                "and contain lower case alphanumeric characters or '-' in between"
            )
            yield Violation(
                "value",
                ("Subsets", key),
                f"Subset {quote(name)} is invalid: {reason}",
                fix="name the subset as a DNS label: lower case letters, digits and '-', at most 63",
                anchor=("Subsets", key),
            )
        expression = text(subset, "Filter") if isinstance(subset, dict) else ""
        if expression:
            why = filter_error(expression)
            if why:
                yield Violation(
                    "value",
                    ("Subsets", key, "Filter"),
                    f"Filter for subset {quote(name)} is not a valid expression: {why}",
                    fix='write a bexpr filter such as Service.Meta.version == "v1"',
                )


def _enterprise(fields: tuple, entry: dict, path: tuple, prefix: str) -> Iterator[Violation]:
    """The first Enterprise-only field set, as the CE build's ValidateEnterprise returns it."""
    for field in fields:
        if is_set(entry.get(field)):
            yield Violation(
                "value",
                path + (field,),
                f"{prefix}Setting {field} {ENTERPRISE}",
                fix=f"remove {field}: Consul CE does not have it",
            )
            return


def _redirect(redirect: dict, name: str, subsets: dict, ce: bool, entry: dict) -> Iterator[Violation]:
    path = ("Redirect",)
    if is_set(redirect.get("Datacenter")) and text(entry, "Partition") not in ("", "default"):
        yield Violation(
            "value",
            path + ("Datacenter",),
            "Cross-datacenter redirect is only supported in the default partition",
            fix="redirect across datacenters from the default partition only",
        )
        return
    if is_set(redirect.get("Datacenter")) and (text(redirect, "Partition") or "default") != (
        text(entry, "Partition") or "default"
    ):
        yield Violation(
            "conflict",
            path + ("Partition",),
            "Cross-datacenter and cross-partition redirect is not supported",
            fix="redirect to another datacenter or to another partition, not both",
        )
        return
    if ce:
        found = list(_enterprise(("Partition", "Namespace", "SamenessGroup"), redirect, path, "Redirect: "))
        if found:
            yield from found
            return
    fields = ("Service", "ServiceSubset", "Namespace", "Partition", "Datacenter", "Peer", "SamenessGroup")
    if not any(is_set(redirect.get(f)) for f in fields):
        yield Violation(
            "missing", path, "Redirect is empty", fix="name the Service (or datacenter, peer, ...) to redirect to"
        )
        return
    peer = is_set(redirect.get("Peer"))
    if peer and any(is_set(redirect.get(f)) for f in ("ServiceSubset", "Partition", "Datacenter")):
        return  # PL106: Peer with ServiceSubset / Partition / Datacenter
    service = text(redirect, "Service")
    if not service:
        for field in ("ServiceSubset", "Namespace", "Partition", "Peer"):
            if is_set(redirect.get(field)):
                yield Violation(
                    "missing",
                    path + (field,),
                    f"Redirect.{field} defined without Redirect.Service",
                    fix="set Redirect.Service",
                    anchor=path + (field,),
                )
                return
        return
    subset = text(redirect, "ServiceSubset")
    if subset and service == name and subset not in subsets:
        yield Violation(
            "value",
            path + ("ServiceSubset",),
            f"Redirect.ServiceSubset {quote(subset)} is not a valid subset of {quote(name)}",
            fix=f"define the subset {quote(subset)} under Subsets, or name an existing one",
        )


def _failover(key: str, failover: dict, name: str, subsets: dict, ce: bool, entry: dict) -> Iterator[Violation]:
    path = ("Failover", key)
    prefix = f"Bad Failover[{quote(key)}]: "
    if is_set(failover.get("Datacenters")) and text(entry, "Partition") not in ("", "default"):
        yield Violation(
            "value",
            path + ("Datacenters",),
            "Cross-datacenter failover is only supported in the default partition",
            fix="fail over across datacenters from the default partition only",
        )
        return
    if ce:
        found = list(_enterprise(("Namespace", "SamenessGroup"), failover, path, prefix))
        if found:
            yield from found
            return
    if key != "*" and key not in subsets:
        yield Violation(
            "value", path, prefix + "not a valid subset", fix='use "*" or the name of a subset defined under Subsets'
        )
        return
    fields = ("Service", "ServiceSubset", "Namespace", "Datacenters", "Targets", "SamenessGroup")
    if not any(is_set(failover.get(f)) for f in fields):
        yield Violation(
            "missing",
            path,
            prefix + "one of Service, ServiceSubset, Namespace, Targets, SamenessGroup, or Datacenters is required",
            fix="say where to fail over to: Targets, Datacenters, Service, ...",
        )
        return
    policy = mapping(failover, "Policy")
    if ce and policy and is_set(policy.get("Mode")):
        yield Violation(
            "value",
            path + ("Policy",),
            prefix + f"Setting failover policies {ENTERPRISE}",
            fix="remove Policy: Consul CE does not have failover policies",
        )
        return
    service, subset = text(failover, "Service"), text(failover, "ServiceSubset")
    if subset and service in ("", name) and subset not in subsets:
        yield Violation(
            "value",
            path + ("ServiceSubset",),
            f"{prefix}ServiceSubset {quote(subset)} is not a valid subset of {quote(service)}",
            fix=f"define the subset {quote(subset)} under Subsets, or name an existing one",
        )
        return
    targets = failover.get("Targets")
    if is_set(targets) and any(is_set(failover.get(f)) for f in ("Datacenters", "ServiceSubset", "Service")):
        return  # PL106: Targets with the older failover fields
    for index, target in enumerate(targets if isinstance(targets, list) else []):
        if isinstance(target, dict):
            found = list(_target(key, index, target, name, subsets, ce))
            if found:
                yield from found
                return
    datacenters = failover.get("Datacenters")
    for index, dc in enumerate(datacenters if isinstance(datacenters, list) else []):
        if dc == "":
            yield Violation(
                "value",
                path + ("Datacenters", index),
                f"Bad Failover[{quote(key)}].Datacenters: found empty datacenter",
                fix="remove the empty datacenter name",
            )
            return


def _target(key: str, index: int, target: dict, name: str, subsets: dict, ce: bool) -> Iterator[Violation]:
    path = ("Failover", key, "Targets", index)
    prefix = f"Bad Failover[{quote(key)}].Targets[{index}]: "
    if ce:
        found = list(_enterprise(("Partition", "Namespace"), target, path, prefix))
        if found:
            yield from found
            return
    peer = is_set(target.get("Peer"))
    if (peer and any(is_set(target.get(f)) for f in ("ServiceSubset", "Partition", "Datacenter"))) or (
        is_set(target.get("Partition")) and is_set(target.get("Datacenter"))
    ):
        return  # PL106
    subset = text(target, "ServiceSubset")
    if subset and text(target, "Service") in ("", name) and subset not in subsets:
        yield Violation(
            "value",
            path + ("ServiceSubset",),
            f"{prefix}ServiceSubset {quote(subset)} is not a valid subset of {quote(name)}",
            fix=f"define the subset {quote(subset)} under Subsets, or name an existing one",
        )


def _load_balancer(lb: dict) -> Iterator[Violation]:
    path = ("LoadBalancer",)
    policy = text(lb, "Policy")
    if policy not in LB_POLICIES:
        yield Violation(
            "value",
            path + ("Policy",),
            f"Bad LoadBalancer policy: {quote(policy)} is not supported",
            fix="use one of " + ", ".join(quote(p) for p in LB_POLICIES[1:]),
        )
        return
    for config, wanted in (("RingHashConfig", "ring_hash"), ("LeastRequestConfig", "least_request")):
        if config in lb and policy != wanted:
            yield Violation(
                "conflict",
                path + (config,),
                f"Bad LoadBalancer configuration. {config} specified for incompatible load balancing policy {quote(policy)}",
                fix=f'set Policy = "{wanted}" or remove {config}',
            )
            return
    policies = lb.get("HashPolicies")
    if is_set(policies) and policy not in HASH_BASED:
        yield Violation(
            "conflict",
            path + ("HashPolicies",),
            f"Bad LoadBalancer configuration: HashPolicies specified for non-hash-based Policy: {quote(policy)}",
            fix='set Policy to "maglev" or "ring_hash", or remove HashPolicies',
        )
        return
    for index, hp in enumerate(policies if isinstance(policies, list) else []):
        if isinstance(hp, dict):
            found = _hash_policy(index, hp)
            if found:
                yield found
                return


def _hash_policy(index: int, hp: dict) -> Violation | None:
    path = ("LoadBalancer", "HashPolicies", index)
    prefix = f"Bad LoadBalancer HashPolicy[{index}]: "
    field, value, source_ip = text(hp, "Field"), text(hp, "FieldValue"), hp.get("SourceIP") is True
    if field and field not in HASH_FIELDS:
        return Violation(
            "value",
            path + ("Field",),
            f"{prefix}{quote(field)} is not a supported field",
            fix="use header, cookie or query_parameter",
        )
    if source_ip and field:
        return Violation(
            "conflict",
            path + ("SourceIP",),
            f"{prefix}A single hash policy cannot hash both a source address and a {quote(field)}",
            fix="split the source-address hash and the field hash into two hash policies",
        )
    if source_ip and value:
        return Violation(
            "conflict",
            path + ("SourceIP",),
            f"{prefix}A FieldValue cannot be specified when hashing SourceIP",
            fix="remove FieldValue, or hash on a Field instead of SourceIP",
        )
    if field and not value:
        return Violation(
            "missing",
            path + ("FieldValue",),
            f"{prefix}Field {quote(field)} was specified without a FieldValue",
            fix=f"set FieldValue to the {field} to hash on",
            anchor=path + ("Field",),
        )
    if value and not field:
        return Violation(
            "missing",
            path + ("Field",),
            f"{prefix}FieldValue requires a Field to apply to",
            fix="set Field to header, cookie or query_parameter",
            anchor=path + ("FieldValue",),
        )
    cookie = mapping(hp, "CookieConfig")
    if "CookieConfig" in hp and field != "cookie":
        return Violation(
            "conflict",
            path + ("CookieConfig",),
            f"{prefix}cookie_config provided for {quote(field)}",
            fix='remove CookieConfig, or set Field = "cookie"',
        )
    if cookie and cookie.get("Session") is True and (go_duration(cookie.get("TTL")) or 0) != 0:
        return Violation(
            "conflict",
            path + ("CookieConfig", "TTL"),
            f"{prefix}a session cookie cannot have an associated TTL",
            fix="remove TTL, or Session = true",
        )
    return None
