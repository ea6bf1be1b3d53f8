"""consul-k8s webhooks: ServiceDefaults (``servicedefaults_types.go`` ``Validate``) and
the shared types it has in common with ProxyDefaults (``shared_types.go``).

The enum checks (protocol, mesh gateway mode, mutual TLS mode, expose protocol,
balanceInboundConnections) are the schema's (``schemas/crd-servicedefaults.json``);
the rest of ``Validate`` is here, in consul-k8s's words.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Iterator

from linter.constraints import Context, Violation, checks
from linter.constraints.k8s import (
    SPEC,
    duplicate,
    invalid,
    invalid_absent,
    num,
    obj,
    required,
    seq,
    slash_path,
    text,
    turned_off,
)

TPROXY_PORT = (
    "use the annotation `consul.hashicorp.com/transparent-proxy-outbound-listener-port` "
    "to configure the Outbound Listener Port"
)
TPROXY_MODE = "use the annotation `consul.hashicorp.com/transparent-proxy` to configure the Transparent Proxy Mode"
GO_JSON_TYPES = {str: "string", list: "array", bool: "bool", int: "number", float: "number"}


# -- shared_types.go ----------------------------------------------------------------


def transparent_proxy(data: Any) -> Iterator[Violation]:
    """``TransparentProxy.validate``: the outbound listener port is the pod's annotation's."""
    port = obj(obj(data.get("spec")).get("transparentProxy")).get("outboundListenerPort")
    if num(port) != 0:
        path = SPEC + ("transparentProxy", "outboundListenerPort")
        fix = "remove it; annotate the pods with consul.hashicorp.com/transparent-proxy-outbound-listener-port"
        yield invalid(data, path, "spec.transparentProxy.outboundListenerPort", port, TPROXY_PORT, fix=fix)


def proxy_mode(data: Any) -> Iterator[Violation]:
    """``ProxyMode.validate``: any ``mode`` at all (a pointer: even ``""``) is refused."""
    spec = obj(data.get("spec"))
    if "mode" in spec:
        fix = 'remove spec.mode; annotate the pods with consul.hashicorp.com/transparent-proxy: "true"'
        yield invalid(data, SPEC + ("mode",), "spec.mode", spec["mode"], TPROXY_MODE, fix=fix)


def expose_paths(data: Any) -> Iterator[Violation]:
    """``Expose.validate``: each path begins with ``/`` (the protocol enum is the schema's)."""
    for i, item in enumerate(seq(obj(obj(data.get("spec")).get("expose")).get("paths"))):
        value = obj(item).get("path")
        if slash_path(value):
            path = SPEC + ("expose", "paths", i, "path")
            yield invalid(
                data, path, f"spec.expose.paths[{i}].path", value, "must begin with a '/'", fix=f'write "/{value}"'
            )


def map_value(value: Any) -> str | None:
    """Why ``json.Unmarshal`` of this JSON value into ``map[string]interface{}`` fails,
    in Go's words; None when it decodes (an object)."""
    if isinstance(value, dict):
        return None
    go = GO_JSON_TYPES.get(type(value), "string")
    return f"must be valid map value: json: cannot unmarshal {go} into Go value of type map[string]interface {{}}"


def envoy_extensions(data: Any) -> Iterator[Violation]:
    """``EnvoyExtensions.validate``: every extension has ``arguments``, a map."""
    for i, item in enumerate(seq(obj(data.get("spec")).get("envoyExtensions"))):
        where = f"spec.envoyExtensions.envoyExtension[{i}].arguments"
        anchor = SPEC + ("envoyExtensions", i)
        if not isinstance(item, dict):
            continue
        if "arguments" not in item:
            yield required(
                data, anchor + ("arguments",), where, "arguments must be defined", anchor, "set arguments (a map)"
            )
            continue
        problem = map_value(item["arguments"])
        if problem is not None:
            value = item["arguments"]
            shown = value if isinstance(value, str) else str(value)
            yield invalid(data, anchor + ("arguments",), where, shown, problem, fix="write arguments as a map")


def negatives(data: Any, fields: tuple[tuple[str, str, str], ...]) -> Iterator[Violation]:
    """``if in.Spec.X < 0``: (field, consul-k8s's path text, message)."""
    spec = obj(data.get("spec"))
    for name, where, detail in fields:
        if num(spec.get(name)) < 0:
            yield invalid(data, SPEC + (name,), where, spec[name], detail, fix=f"remove {name} or make it positive")


# -- servicedefaults_types.go -------------------------------------------------------


def upstream(data: Any, path: tuple, where: str, body: dict, default: bool, context: Context) -> Iterator[Violation]:
    """``Upstream.validate`` for the defaults (``default``) or one override."""
    if default:
        for name in ("name", "namespace", "partition", "peer"):
            if text(body.get(name)) != "":
                detail = f'upstream.{name} for a default upstream must be ""'
                yield invalid(data, path + (name,), f"{where}.{name}", body[name], detail, fix=f"remove {name}")
    else:
        if text(body.get("name")) == "":
            detail = 'upstream.name for an override upstream cannot be ""'
            if "name" in body:
                yield invalid(data, path + ("name",), f"{where}.name", "", detail, fix="name the upstream service")
            else:
                yield invalid_absent(data, path, "name", f"{where}.name", "", detail, fix="name the upstream service")
        # namespace or partition with peer: PL106
    if text(body.get("partition")) != "" and turned_off(context, "partitions_enabled"):
        detail = "Consul Enterprise Admin Partitions must be enabled to set upstream.partition"
        yield invalid(data, path + ("partition",), f"{where}.partition", body["partition"], detail)


def destination(data: Any) -> Iterator[Violation]:
    """``ServiceDefaultsDestination.validate``: addresses (at least one, unique, each an
    IP or a hostname without a wildcard) and a port in 1-65535."""
    spec = obj(data.get("spec"))
    if not isinstance(spec.get("destination"), dict):
        return
    body = spec["destination"]
    path = SPEC + ("destination",)
    addresses = seq(body.get("addresses"))
    if not addresses:
        detail = "at least one address must be define per destination"
        anchor = None if "addresses" in body else path
        yield required(data, path + ("addresses",), "spec.destination.addresses", detail, anchor, "list the addresses")
    seen: set = set()
    for i, address in enumerate(addresses):
        if not isinstance(address, str):
            continue  # the schema reports the type
        where = f"spec.destination.addresses[{i}]"
        if address in seen:
            yield duplicate(data, path + ("addresses", i), where, address, fix="remove the repeated address")
            continue
        seen.add(address)
        if not valid_endpoint_address(address):
            detail = f"address {text(address)} is not a valid IP or hostname"
            yield invalid(data, path + ("addresses", i), where, address, detail, fix="an IP address or a hostname")
    port = num(body.get("port"))
    if port < 1 or port > 65535:
        if "port" in body:
            yield invalid(
                data,
                path + ("port",),
                "spec.destination.port",
                body["port"],
                "invalid port number",
                fix="a port in 1-65535",
            )
        else:
            yield invalid_absent(data, path, "port", "spec.destination.port", 0, "invalid port number", fix="set port")


def valid_endpoint_address(address: Any) -> bool:
    """consul-k8s ``validEndpointAddress``: ``net.ParseIP``, else miekg/dns
    ``IsDomainName`` without a ``*``."""
    if not isinstance(address, str) or address == "":
        return False
    try:
        ipaddress.ip_address(address)
        return "%" not in address
    except ValueError:
        pass
    return "*" not in address and is_domain_name(address)


def is_domain_name(name: str) -> bool:
    """miekg/dns ``IsDomainName``: only the structure is checked (no leading or doubled
    dot, labels under 64 octets, at most 255 octets), not the characters."""
    if not name.endswith(".") or name.endswith("\\."):
        name += "."
    off = begin = 0
    was_dot = escape = False
    i = 0
    while i < len(name):
        char = name[i]
        if char == "\\":
            escape = not escape
            step = 3 if name[i + 1 : i + 4].isdigit() and len(name[i + 1 : i + 4]) == 3 else 1
            i += step
            begin += step
            was_dot = False
        elif char == "." and not escape:
            if i == 0 and len(name) > 1:
                return False
            if was_dot:
                return False
            was_dot = True
            if i - begin >= 64:
                return False
            off += 1 + i - begin
            if off > 256:
                return False
            begin = i + 1
        else:
            escape = was_dot = False
        i += 1
    return True


def rate_limits(data: Any) -> Iterator[Violation]:
    """``InstanceLevelRateLimits.validate``."""
    spec = obj(data.get("spec"))
    if not isinstance(spec.get("rateLimits"), dict):
        return
    level = obj(spec["rateLimits"].get("instanceLevel"))
    path = SPEC + ("rateLimits", "instanceLevel")
    where = "spec.rateLimits.instanceLevel"
    rps, burst = num(level.get("requestsPerSecond")), num(level.get("requestsMaxBurst"))
    limited = rps > 0
    if rps < 0:
        yield invalid(
            data, path + ("requestsPerSecond",), f"{where}.requestsPerSecond", rps, "RequestsPerSecond must be positive"
        )
    if rps == 0 and burst > 0:
        detail = "RequestsPerSecond must be greater than 0 if RequestsMaxBurst is set"
        yield invalid(
            data, path + ("requestsMaxBurst",), f"{where}.requestsPerSecond", rps, detail, fix="set requestsPerSecond"
        )
    if burst < 0:
        yield invalid(
            data, path + ("requestsMaxBurst",), f"{where}.requestsMaxBurst", burst, "RequestsMaxBurst must be positive"
        )
    for i, route in enumerate(seq(level.get("routes"))):
        route = obj(route)
        at = path + ("routes", i)
        matches = sum(1 for name in ("pathExact", "pathPrefix", "pathRegex") if text(route.get(name)) != "")
        if matches != 1:
            detail = "Route must define exactly one of PathExact, PathPrefix, or PathRegex"
            yield required(data, at, f"{where}.routes[{i}]", detail, fix="set one of pathExact, pathPrefix, pathRegex")
        route_rps = num(route.get("requestsPerSecond"))
        limited = limited or route_rps > 0
        if route_rps <= 0:
            detail = "RequestsPerSecond must be greater than 0"
            name = f"{where}.routes[{i}].requestsPerSecond"
            if "requestsPerSecond" in route:
                yield invalid(
                    data, at + ("requestsPerSecond",), name, route_rps, detail, fix="a positive requestsPerSecond"
                )
            else:
                yield invalid_absent(data, at, "requestsPerSecond", name, 0, detail, fix="set requestsPerSecond")
        if num(route.get("requestsMaxBurst")) < 0:
            detail = "RequestsMaxBurst must be positive"
            yield invalid(
                data,
                at + ("requestsMaxBurst",),
                f"{where}.routes[{i}].requestsMaxBurst",
                route["requestsMaxBurst"],
                detail,
            )
    if not limited:
        detail = "At least one of top-level or route-level RequestsPerSecond must be set"
        if "requestsPerSecond" in level:
            yield invalid(
                data,
                path + ("requestsPerSecond",),
                f"{where}.requestsPerSecond",
                rps,
                detail,
                fix="set requestsPerSecond",
            )
        else:
            yield invalid_absent(
                data, path, "requestsPerSecond", f"{where}.requestsPerSecond", 0, detail, fix="set requestsPerSecond"
            )


@checks("crd-servicedefaults")
def service_defaults(data: Any, context: Context) -> Iterator[Violation]:
    """``ServiceDefaults.Validate`` (the parts the schema does not hold)."""
    if not isinstance(data, dict):
        return
    yield from transparent_proxy(data)
    yield from proxy_mode(data)
    yield from destination(data)
    yield from negatives(
        data,
        (
            ("maxInboundConnections", "spec.maxinboundconnections", "MaxInboundConnections must be > 0"),
            ("localConnectTimeoutMs", "spec.localConnectTimeoutMs", "LocalConnectTimeoutMs must be > 0"),
            ("localRequestTimeoutMs", "spec.localRequestTimeoutMs", "LocalRequestTimeoutMs must be > 0"),
        ),
    )
    config = obj(obj(data.get("spec")).get("upstreamConfig"))
    path = SPEC + ("upstreamConfig",)
    if isinstance(config.get("defaults"), dict):
        yield from upstream(
            data, path + ("defaults",), "spec.upstreamConfig.defaults", config["defaults"], True, context
        )
    for i, override in enumerate(seq(config.get("overrides"))):
        if isinstance(override, dict):
            where = f"spec.upstreamConfig.overrides[{i}]"
            yield from upstream(data, path + ("overrides", i), where, override, False, context)
    yield from expose_paths(data)
    yield from rate_limits(data)
    yield from envoy_extensions(data)
