"""service-defaults and proxy-defaults: ``ServiceConfigEntry.Validate`` and
``ProxyConfigEntry.Validate`` (agent/structs/config_entry.go), in Consul's words.

service-defaults: upstream overrides need a Name (not a wildcard), the upstream
defaults must not have one, limits and passive health checks within range,
``UpstreamConfig`` and ``Destination`` not together, a destination's addresses (at
least one, each an IP or a hostname, no duplicates) and port. Both kinds: Envoy
extensions need a built-in name. proxy-defaults: the opaque ``Config`` limits
(``validateOpaqueProxyConfig``) and the access-log settings
(``AccessLogsConfig.Validate``). Enumerated values (MutualTLSMode, connection
balancing, access-log type, failover-policy mode) are the schemas' ``enum``.
"""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Any, Iterator

from linter.constraints import Context, Violation, checks
from linter.constraints.entries_common import go_duration, is_set, mapping, quote, text

#: Built-in Envoy extension names (the api package's Builtin*Extension). Releases add
#: to this list (builtin/fault-injection in 1.22), so a name under "builtin/" that is
#: not here is left alone: only a name outside "builtin/" is certainly not built in.
BUILTIN_EXTENSIONS = (
    "builtin/aws/lambda",
    "builtin/ext-authz",
    "builtin/fault-injection",
    "builtin/http/localratelimit",
    "builtin/lua",
    "builtin/otel-access-logging",
    "builtin/property-override",
    "builtin/wasm",
)
HOSTNAME = re.compile(
    r"^(([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\-]*[a-zA-Z0-9])\.)*([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9\-]*[A-Za-z0-9])$"
)
#: validateOpaqueProxyConfig: a unix socket path has room for 70 bytes of directory.
HCP_SOCKET_DIR = "envoy_hcp_metrics_bind_socket_dir"
HCP_SOCKET_DIR_MAX = 70


@checks("entry-service-defaults")
def service_defaults(data: Any, context: Context) -> Iterator[Violation]:
    if not isinstance(data, dict):
        return
    upstreams = mapping(data, "UpstreamConfig")
    if upstreams is not None and "Destination" in data:
        yield Violation(
            "conflict",
            ("Destination",),
            "UpstreamConfig and Destination are mutually exclusive for service defaults",
            fix="a destination (a service outside the mesh) has no upstream configuration: remove one of them",
        )
        return
    if upstreams is not None:
        overrides = upstreams.get("Overrides")
        for index, override in enumerate(overrides if isinstance(overrides, list) else []):
            if isinstance(override, dict):
                yield from _override(index, override)
        defaults = mapping(upstreams, "Defaults")
        if defaults is not None:
            yield from _upstream_defaults(defaults)
    destination = mapping(data, "Destination")
    if destination is not None:
        yield from _destination(destination)
    yield from _extensions(data.get("EnvoyExtensions"))


@checks("entry-proxy-defaults")
def proxy_defaults(data: Any, context: Context) -> Iterator[Violation]:
    if not isinstance(data, dict):
        return
    config = mapping(data, "Config")
    if config is not None:
        socket_dir = config.get(HCP_SOCKET_DIR)
        if isinstance(socket_dir, str) and len(socket_dir) > HCP_SOCKET_DIR_MAX:
            yield Violation(
                "value",
                ("Config", HCP_SOCKET_DIR),
                f"Config: {HCP_SOCKET_DIR} length {len(socket_dir)} exceeds max {HCP_SOCKET_DIR_MAX}",
                fix=f"use a directory path of at most {HCP_SOCKET_DIR_MAX} characters",
            )
    logs = mapping(data, "AccessLogs")
    if logs is not None:
        found = _access_logs(logs)
        if found is not None:
            yield found
    yield from _extensions(data.get("EnvoyExtensions"))


def _override(index: int, override: dict) -> Iterator[Violation]:
    path = ("UpstreamConfig", "Overrides", index)
    prefix = "error in upstream override: "
    name = text(override, "Name")
    if not name:
        yield Violation(
            "missing",
            path + ("Name",),
            f"UpstreamConfig.Overrides[{index}]: {prefix}Name is required",
            fix="set Name to the upstream service this override is for",
            anchor=path,
        )
        return
    if name == "*":
        yield Violation("value", path + ("Name",), prefix + "Wildcard name is not supported", fix="name one service")
        return
    if text(override, "Namespace") == "*":
        yield Violation(
            "value", path + ("Namespace",), prefix + "Wildcard namespace is not supported", fix="name one namespace"
        )
        return
    yield from _upstream_limits(path, override, prefix)


def _upstream_defaults(defaults: dict) -> Iterator[Violation]:
    path = ("UpstreamConfig", "Defaults")
    prefix = "error in upstream defaults: "
    for field in ("Name", "Namespace", "Partition"):
        if is_set(defaults.get(field)):
            yield Violation(
                "value",
                path + (field,),
                f"{prefix}{field} must be empty",
                fix=f"remove {field}: the defaults apply to every upstream (use Overrides for one)",
            )
            return
    yield from _upstream_limits(path, defaults, prefix)


def _upstream_limits(path: tuple, upstream: dict, prefix: str) -> Iterator[Violation]:
    """UpstreamLimits.Validate and PassiveHealthCheck.Validate."""
    limits = mapping(upstream, "Limits")
    for field in ("MaxConnections", "MaxPendingRequests", "MaxConcurrentRequests"):
        value = limits.get(field) if limits else None
        if isinstance(value, int) and not isinstance(value, bool) and value < 0:
            yield Violation(
                "value",
                path + ("Limits", field),
                f"{prefix}error in limits: {field} cannot be negative",
                fix="use 0 or more",
            )
    check = mapping(upstream, "PassiveHealthCheck")
    if not check:
        return
    for field in ("Interval", "BaseEjectionTime"):
        if field in check and (go_duration(check[field]) or 0) < 0:
            yield Violation(
                "value",
                path + ("PassiveHealthCheck", field),
                f"{prefix}error in passive health check: {field} cannot be negative",
                fix="use a duration of 0 or more",
            )
    for field in ("EnforcingConsecutive5xx", "MaxEjectionPercent"):
        percent = check.get(field)
        if isinstance(percent, int) and not isinstance(percent, bool) and percent > 100:
            yield Violation(
                "value",
                path + ("PassiveHealthCheck", field),
                f"{prefix}error in passive health check: {field} must be a percentage between 0 and 100",
                fix="use a percentage between 0 and 100",
            )


def _destination(destination: dict) -> Iterator[Violation]:
    path = ("Destination",)
    addresses = destination.get("Addresses")
    if not isinstance(addresses, list) or not addresses:
        yield Violation(
            "missing",
            path + ("Addresses",),
            "Destination must contain at least one valid address",
            fix="list the destination's IP addresses or hostnames under Addresses",
            anchor=path + ("Addresses",) if "Addresses" in destination else path,
        )
    seen: set[str] = set()
    for index, address in enumerate(addresses if isinstance(addresses, list) else []):
        if not isinstance(address, str):
            continue
        if address in seen:
            yield Violation(
                "value",
                path + ("Addresses", index),
                f"Duplicate address '{address}' is not allowed.",
                fix="list each address once",
            )
            continue
        seen.add(address)
        if not _ip(address) and not HOSTNAME.match(address):
            yield Violation(
                "value",
                path + ("Addresses", index),
                f"Destination address '{address}' is invalid Could not validate address {address} as an IP or Hostname",
                fix="use an IP address or a hostname (no wildcards)",
            )
    port = destination.get("Port", 0)
    if isinstance(port, int) and not isinstance(port, bool) and not 1 <= port <= 65535:
        yield Violation(
            "value" if "Port" in destination else "missing",
            path + ("Port",),
            f"Invalid Port number {port}",
            fix="set Port to the destination's port (1-65535)",
            anchor=None if "Port" in destination else path,
        )


def _ip(address: str) -> bool:
    """Go's net.ParseIP: dotted IPv4 or IPv6 (no zone, no brackets)."""
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return "%" not in address


def _extensions(extensions: Any) -> Iterator[Violation]:
    for index, extension in enumerate(extensions if isinstance(extensions, list) else []):
        if not isinstance(extension, dict):
            continue
        name = text(extension, "Name")
        path = ("EnvoyExtensions", index)
        if not name:
            yield Violation(
                "missing",
                path + ("Name",),
                f"invalid EnvoyExtensions[{index}]: Name is required",
                fix="name a built-in extension: " + ", ".join(BUILTIN_EXTENSIONS),
                anchor=path,
            )
        elif name not in BUILTIN_EXTENSIONS and not name.startswith("builtin/"):
            yield Violation(
                "value",
                path + ("Name",),
                f"invalid EnvoyExtensions[{index}][{name}]: name {quote(name)} is not a built-in extension",
                fix="use one of " + ", ".join(BUILTIN_EXTENSIONS),
            )


def _access_logs(logs: dict) -> Violation | None:
    """AccessLogsConfig.Validate, which returns its first error (the type is the
    schema's enum)."""
    path = ("AccessLogs",)
    kind = text(logs, "Type")
    if kind not in ("", "file", "stderr", "stdout"):
        return None
    if is_set(logs.get("JSONFormat")) and is_set(logs.get("TextFormat")):
        return Violation(
            "conflict",
            path + ("TextFormat",),
            "cannot specify both access log JSONFormat and TextFormat",
            fix="keep either JSONFormat or TextFormat",
        )
    if kind != "file" and is_set(logs.get("Path")):
        return Violation(
            "conflict",
            path + ("Path",),
            "path is only valid for file type access logs",
            fix='set Type = "file", or remove Path',
        )
    if kind == "file" and not is_set(logs.get("Path")):
        return Violation(
            "missing",
            path + ("Path",),
            "path must be specified when using file type access logs",
            fix="set Path to the log file",
            anchor=path,
        )
    fmt = logs.get("JSONFormat")
    if isinstance(fmt, str) and fmt:
        try:
            json.loads(fmt, parse_constant=_no_constant)
        except ValueError as error:
            return Violation(
                "value",
                path + ("JSONFormat",),
                f"invalid access log json for JSON format: {error}",
                fix="write JSONFormat as a JSON object",
            )
    return None


def _no_constant(name: str) -> Any:
    raise ValueError(f"invalid character {name[0]!r} looking for beginning of value")
