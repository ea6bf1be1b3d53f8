"""Agent service definitions beyond connect proxies (:mod:`.service_proxy`): the rest of
``NodeService.Validate`` (``agent/structs/structs.go``) that the agent's config builder
runs on every ``service {}``, the builder's own ``sidecar_service`` checks, and the
service meta rules (``ValidateServiceMetadata``, which the builder runs too).

- gateways (mesh, terminating, ingress, api): a non-zero port (not ingress/api), no
  ``connect.sidecar_service``, none of the proxy fields that only a sidecar proxy has;
- ``connect.sidecar_service``: no ``id`` (the agent names it), no nested sidecar (the
  builder's words first, ``NodeService.Validate``'s after them, as either may be quoted);
- ``connect.native`` needs a port or socket path;
- ``locality``: a zone needs a region;
- ``weights``: passing 1-65535, warning 0-65535 (``ValidateWeights``);
- ``meta``: at most 64 pairs, keys of ``[A-Za-z0-9_-]`` up to 128 characters, values up
  to 512, no ``consul-`` prefix (``consul-wan-federation`` is allowed on mesh gateways).
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from linter.constraints import Context, Violation, checks
from linter.constraints.service_proxy import prefix

GATEWAYS = ("mesh-gateway", "terminating-gateway", "ingress-gateway", "api-gateway")
PORTLESS_GATEWAYS = ("ingress-gateway", "api-gateway")
#: (field, Consul's name for it): the proxy fields a gateway must not set.
SIDECAR_ONLY_FIELDS = (
    ("destination_service_name", "Proxy.DestinationServiceName"),
    ("destination_service_id", "Proxy.DestinationServiceID"),
    ("local_service_address", "Proxy.LocalServiceAddress"),
    ("local_service_port", "Proxy.LocalServicePort"),
    ("local_service_socket_path", "Proxy.LocalServiceSocketPath"),
)
META_MAX_PAIRS = 64
META_KEY_MAX = 128
META_VALUE_MAX = 512
META_KEY = re.compile(r"^[a-zA-Z0-9_-]+$")
RESERVED_PREFIX = "consul-"
MESH_GATEWAY_META_KEYS = ("consul-wan-federation",)


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


@checks("agent-service")
def gateway(data: Any, context: Context) -> Iterator[Violation]:
    """``NodeService.Validate``'s gateway block."""
    if not isinstance(data, dict) or data.get("kind") not in GATEWAYS:
        return
    kind, head = data["kind"], prefix(data)
    port = data.get("port")
    if kind not in PORTLESS_GATEWAYS and port in (None, 0):
        message = head + f"Port must be non-zero for a {kind}"
        if port is None:
            yield Violation("missing", ("port",), message, fix="set port", anchor=())
        else:
            yield Violation("value", ("port",), message, fix="set the gateway's port")
    if "sidecar_service" in _dict(data.get("connect")):
        yield Violation(
            "conflict",
            ("connect", "sidecar_service"),
            head + f"A {kind} cannot have a sidecar service defined",
            fix="remove connect.sidecar_service: a gateway is its own proxy",
            anchor=("connect", "sidecar_service"),
        )
    proxy = _dict(data.get("proxy"))
    for field, go_name in SIDECAR_ONLY_FIELDS:
        if proxy.get(field) not in (None, "", 0):
            yield Violation(
                "conflict",
                ("proxy", field),
                head + f"The {go_name} configuration is invalid for a {kind}",
                fix=f"remove proxy.{field}: only a sidecar proxy has it",
                anchor=("proxy", field),
            )
    if isinstance(proxy.get("upstreams"), list) and proxy["upstreams"]:
        yield Violation(
            "conflict",
            ("proxy", "upstreams"),
            head + f"The Proxy.Upstreams configuration is invalid for a {kind}",
            fix="remove proxy.upstreams: a gateway routes by config entries, not upstreams",
            anchor=("proxy", "upstreams"),
        )


@checks("agent-service")
def sidecar_and_native(data: Any, context: Context) -> Iterator[Violation]:
    """The builder's ``serviceConnectVal`` checks, ``connect.native``'s port, locality."""
    if not isinstance(data, dict):
        return
    connect = _dict(data.get("connect"))
    sidecar = connect.get("sidecar_service")
    if isinstance(sidecar, dict):
        if isinstance(sidecar.get("id"), str) and sidecar["id"]:
            yield Violation(
                "value",
                ("connect", "sidecar_service", "id"),
                "sidecar_service can't specify an ID "
                "(A SidecarService cannot specify an ID as this is managed by the agent)",
                fix="remove id: the agent names the sidecar <service id>-sidecar-proxy",
                anchor=("connect", "sidecar_service", "id"),
            )
        if "sidecar_service" in _dict(sidecar.get("connect")):
            yield Violation(
                "conflict",
                ("connect", "sidecar_service", "connect", "sidecar_service"),
                "sidecar_service can't have a nested sidecar_service "
                "(A SidecarService cannot have a nested SidecarService)",
                fix="remove the inner sidecar_service",
                anchor=("connect", "sidecar_service", "connect", "sidecar_service"),
            )
    if connect.get("native") is True and data.get("port") in (None, 0) and not data.get("socket_path"):
        yield Violation(
            "missing",
            ("port",),
            prefix(data) + "Port or SocketPath must be set for a Connect native service.",
            fix="set port (or socket_path) for the Connect native service",
            anchor=("connect", "native"),
        )
    locality = _dict(data.get("locality"))
    if locality.get("zone") and not locality.get("region"):
        yield Violation(
            "value",
            ("locality", "zone"),
            prefix(data) + "zone cannot be set without region",
            fix="set locality.region too",
        )


@checks("agent-service")
def service_meta(data: Any, context: Context) -> Iterator[Violation]:
    """``ValidateServiceMetadata`` as the config builder runs it (``invalid meta for service
    %s: %v``; the pair count message says "Node" for services too), and as the agent runs
    it on a ``sidecar_service``'s own meta when it builds the sidecar (a connect-proxy)."""
    if not isinstance(data, dict):
        return
    name = data.get("name") if isinstance(data.get("name"), str) else ""
    if isinstance(data.get("meta"), dict):
        yield from _meta(data["meta"], data.get("kind"), ("meta",), f"invalid meta for service {name}: ")
    sidecar = _dict(_dict(data.get("connect")).get("sidecar_service"))
    if isinstance(sidecar.get("meta"), dict) and sidecar["meta"]:
        path = ("connect", "sidecar_service", "meta")
        yield from _meta(sidecar["meta"], "connect-proxy", path, prefix(data) + "sidecar_service: ")


def _meta(meta: dict, kind: Any, path: tuple, head: str) -> Iterator[Violation]:
    if len(meta) > META_MAX_PAIRS:
        yield Violation(
            "value",
            path,
            head + f"Node metadata cannot contain more than {META_MAX_PAIRS} key/value pairs",
            fix=f"keep at most {META_MAX_PAIRS} meta pairs",
            anchor=path,
        )
        return
    allowed = MESH_GATEWAY_META_KEYS if kind == "mesh-gateway" else ()
    for key, value in meta.items():
        problem = _meta_pair_problem(str(key), value, allowed)
        if problem:
            shown = value if isinstance(value, (str, int, float)) else ""
            yield Violation(
                "value",
                path + (key,),
                head + f"Couldn't load metadata pair ('{key}', '{shown}'): {problem}",
                fix="use a key of letters, digits, _ and - (not consul-) and a shorter value",
                anchor=path + (key,),
            )


@checks("agent-service")
def weights(data: Any, context: Context) -> Iterator[Violation]:
    """``ValidateWeights`` on the weights the builder's ``serviceVal`` makes (passing and
    warning default to 1), for the service and for its ``sidecar_service``."""
    if not isinstance(data, dict):
        return
    sidecar = _dict(_dict(data.get("connect")).get("sidecar_service"))
    for base, service in (((), data), (("connect", "sidecar_service"), sidecar)):
        given = service.get("weights")
        if not isinstance(given, dict):
            continue
        passing, warning = given.get("passing", 1), given.get("warning", 1)
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (passing, warning)):
            continue
        if passing < 1:
            field, problem = "passing", "Passing must be greater than 0"
        elif warning < 0:
            field, problem = "warning", "Warning must be greater or equal than 0"
        elif passing > 65535 or warning > 65535:
            field, problem = ("passing" if passing > 65535 else "warning"), "DNS Weight must be between 0 and 65535"
        else:
            continue
        name = service.get("name") if isinstance(service.get("name"), str) else ""
        yield Violation(
            "value",
            base + ("weights", field),
            f"Invalid weight definition for service {name}: {problem}",
            fix="use weights from 1 (passing) or 0 (warning) to 65535",
        )


def _meta_pair_problem(key: str, value: Any, allowed: tuple) -> str:
    """``validateMetaPair`` with allowConsulPrefix false, as the agent calls it."""
    if key == "":
        return "Key cannot be blank"
    if not META_KEY.match(key):
        return "Key contains invalid characters"
    if len(key) > META_KEY_MAX:
        return f"Key is too long (limit: {META_KEY_MAX} characters)"
    if key.startswith(RESERVED_PREFIX) and key not in allowed:
        return f"Key prefix '{RESERVED_PREFIX}' is reserved for internal use"
    if isinstance(value, str) and len(value) > META_VALUE_MAX:
        return f"Value is too long (limit: {META_VALUE_MAX} characters)"
    return ""
