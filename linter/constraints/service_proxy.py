"""Connect proxies in agent service definitions: ``NodeService.Validate`` for
``kind = "connect-proxy"`` (``agent/structs/structs.go``), as the agent's config builder
runs it on every ``service {}`` of a configuration file (``ServiceDefinition.Validate``:
the catalog variant, so a proxy needs its port here, unlike an HTTP registration the
agent assigns one to).

Checked here: the destination service name (non-empty, not blank, not ``*``), a port or
socket path, ``connect.native`` on a proxy, the opaque ``Proxy.Config`` limit, each
upstream's datacenter against partitions and its local bind port or socket, and the
``expose.paths`` rules. Left to the schema and other rules, so nothing is said twice:
the upstream destination type and empty name (``schemas/agent-service.json``), a
wildcard name (PL107), peer-and-datacenter, port-and-socket and a peer in another
partition (PL106), duplicate upstreams (PL108).

Upstream checks run only where Consul's would: Consul reports the first problem of an
upstream and moves on, so an upstream the other rules already refuse is not judged
again. A service's partition is the one it names, else (Enterprise) its agent's, which a
service file alone does not say: then a check that depends on it stays silent.
"""

from __future__ import annotations

from typing import Any, Iterator

from linter.constraints import Context, Violation, checks

CONNECT_PROXY = "connect-proxy"
#: validateOpaqueProxyConfig: under the 104-byte unix socket path limit with a
#: 32-character file name.
MAX_SOCKET_DIR = 70
EXPOSE_PROTOCOLS = ("http", "http2")


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def own_partition(data: dict, context: Context) -> str | None:
    """The partition the service registers in; None when only its agent knows (the
    agent's ``partition``), or when CE is merely assumed and the file does not say."""
    if context.known_ce:
        return "default"
    return _text(data.get("partition")) or context.partition or None


def prefix(data: dict) -> str:
    return f'service "{_text(data.get("name"))}": '


@checks("agent-service")
def connect_proxy(data: Any, context: Context) -> Iterator[Violation]:
    """``NodeService.Validate`` for a connect-proxy: its own fields, then upstreams and
    expose paths (:func:`upstream_rules`, :func:`expose_rules`)."""
    if not isinstance(data, dict) or data.get("kind") != CONNECT_PROXY:
        return
    head = prefix(data)
    proxy = data.get("proxy") if isinstance(data.get("proxy"), dict) else {}
    name = proxy.get("destination_service_name")
    required = "Proxy.DestinationServiceName must be non-empty for Connect proxy services"
    if name is None:
        anchor = ("proxy",) if "proxy" in data else ()
        yield Violation(
            "missing",
            ("proxy", "destination_service_name"),
            head + required,
            fix="set proxy.destination_service_name to the service this proxy fronts",
            anchor=anchor,
        )
    elif isinstance(name, str) and not name.strip():
        yield Violation("value", ("proxy", "destination_service_name"), head + required, fix="name the service")
    elif name == "*":
        yield Violation(
            "value",
            ("proxy", "destination_service_name"),
            head + "Proxy.DestinationServiceName must not be a wildcard for Connect proxy services",
            fix="name the one service this proxy fronts",
        )
    port = data.get("port")
    if port in (None, 0) and not _text(data.get("socket_path")):
        message = head + "Port or SocketPath must be set for a connect-proxy"
        if port is None:
            yield Violation("missing", ("port",), message, fix="set port (or socket_path)", anchor=())
        else:
            yield Violation("value", ("port",), message, fix="set a non-zero port (or socket_path)")
    connect = data.get("connect") if isinstance(data.get("connect"), dict) else {}
    if connect.get("native") is True:
        yield Violation(
            "conflict",
            ("connect", "native"),
            head + "A Proxy cannot also be Connect Native, only typical services",
            fix="remove connect.native: only typical services are Connect native",
            anchor=("connect", "native"),
        )
    config = proxy.get("config") if isinstance(proxy.get("config"), dict) else {}
    socket_dir = config.get("envoy_hcp_metrics_bind_socket_dir")
    if isinstance(socket_dir, str) and len(socket_dir.encode()) > MAX_SOCKET_DIR:
        yield Violation(
            "value",
            ("proxy", "config", "envoy_hcp_metrics_bind_socket_dir"),
            head + f"Proxy.Config: envoy_hcp_metrics_bind_socket_dir length {len(socket_dir.encode())} "
            f"exceeds max {MAX_SOCKET_DIR}",
            fix=f"use a directory path of at most {MAX_SOCKET_DIR} bytes",
        )
    yield from upstream_rules(data, proxy, context, head)
    yield from expose_rules(proxy, head)


def upstream_rules(data: dict, proxy: dict, context: Context, head: str) -> Iterator[Violation]:
    """The per-upstream part of ``ValidateForAgent`` and ``Upstream.Validate`` that no
    other check says."""
    upstreams = proxy.get("upstreams")
    if not isinstance(upstreams, list):
        return
    own = own_partition(data, context)
    for i, upstream in enumerate(upstreams):
        if not isinstance(upstream, dict):
            continue
        path = ("proxy", "upstreams", i)
        peer = _text(upstream.get("destination_peer"))
        partition = _text(upstream.get("destination_partition"))
        if not peer:
            if _text(upstream.get("datacenter")):
                if (partition or "default") != "default" or (own is not None and own != "default"):
                    yield Violation(
                        "value",
                        path + ("datacenter",),
                        head + "upstreams cannot target another datacenter in non default partition",
                        fix="remove datacenter: an upstream in a non-default partition stays in this datacenter",
                    )
                    continue
                if own is None:
                    continue  # depends on the agent's partition
        elif partition and partition != own:
            continue  # unknown, or PL106's "must target peers in the same partition"
        # (a peered upstream without destination_partition takes the service's own)
        if not _first_problem_is_bind(upstream, peer):
            continue
        port = upstream.get("local_bind_port")
        message = head + "upstream local bind port or local socket path must be defined and nonzero"
        fix = "set local_bind_port (or local_bind_socket_path)"
        if port is None:
            yield Violation("missing", path + ("local_bind_port",), message, fix=fix, anchor=path)
        else:
            yield Violation("value", path + ("local_bind_port",), message, fix=fix)


def _first_problem_is_bind(upstream: dict, peer: str) -> bool:
    """Whether ``Upstream.Validate`` gets as far as the bind check and fails it (its
    earlier errors are the schema's, PL107's and PL106's)."""
    if upstream.get("destination_type", "") not in ("", "service", "prepared_query"):
        return False
    name = _text(upstream.get("destination_name"))
    if not name or name == "*":
        return False
    if peer and _text(upstream.get("datacenter")):
        return False
    port = upstream.get("local_bind_port", 0)
    return port == 0 and not _text(upstream.get("local_bind_socket_path"))


def expose_rules(proxy: dict, head: str) -> Iterator[Violation]:
    """``expose.paths``: a path each, distinct listener ports in 1-65535, http/http2."""
    expose = proxy.get("expose") if isinstance(proxy.get("expose"), dict) else {}
    paths = expose.get("paths")
    if not isinstance(paths, list):
        return
    seen: set[int] = set()
    for j, item in enumerate(paths):
        if not isinstance(item, dict):
            continue
        at = ("proxy", "expose", "paths", j)
        path = item.get("path")
        if not path:
            message = head + "expose.paths: empty path exposed"
            if path is None:
                yield Violation("missing", at + ("path",), message, fix="set path", anchor=at)
            else:
                yield Violation("value", at + ("path",), message, fix="set the HTTP path to expose")
        port = _int(item.get("listener_port", 0))
        if port is not None:
            where = at + ("listener_port",) if "listener_port" in item else at
            if port in seen:
                yield Violation(
                    "value",
                    where,
                    head + "expose.paths: duplicate listener ports exposed",
                    fix="give each exposed path its own listener_port",
                )
            seen.add(port)
            if port <= 0 or port > 65535:
                yield Violation(
                    "value",
                    where,
                    head + f"expose.paths: invalid listener port: {port}",
                    fix="use a listener_port from 1 to 65535",
                )
        protocol = _text(item.get("protocol")).lower()
        if protocol and protocol not in EXPOSE_PROTOCOLS:
            yield Violation(
                "value",
                at + ("protocol",),
                head + f"protocol '{protocol}' not supported for path: {_text(path)}, "
                f"must be in: [{' '.join(EXPOSE_PROTOCOLS)}]",
                fix='use protocol "http" or "http2"',
            )
