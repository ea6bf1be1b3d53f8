"""Durations and CIDR lists the agent config builder parses (``agent/config/builder.go``
``durationVal``, ``durationValWithDefaultMin``, ``cidrsVal``), in Consul's words.

Settings the agent does not take from users (``ae_interval``, ``check_reap_interval``...)
are replaced by Consul's own values before they are parsed, so they are not judged.
"""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Any, Iterator

from linter.constraints import Context, Violation, checks
from linter.constraints.agent_common import block, blocks, duration, find, is_template, path_of

#: (path below the file's root, the name Consul reports) of every user duration.
DURATIONS = (
    (("advertise_reconnect_timeout",), "advertise_reconnect_timeout"),
    (("check_update_interval",), "check_update_interval"),
    (("default_query_time",), "default_query_time"),
    (("discovery_max_stale",), "discovery_max_stale"),
    (("federation_state_anti_entropy_sync_interval",), "federation_state_anti_entropy_sync_interval"),
    (("max_query_time",), "max_query_time"),
    (("primary_gateways_interval",), "primary_gateways_interval"),
    (("raft_snapshot_interval",), "raft_snapshot_interval"),
    (("reconnect_timeout",), "reconnect_timeout"),
    (("reconnect_timeout_wan",), "reconnect_timeout_wan"),
    (("retry_interval",), "retry_interval"),
    (("retry_interval_wan",), "retry_interval_wan"),
    (("session_ttl_min",), "session_ttl_min"),
    (("log_rotate_duration",), "log_rotate_duration"),
    (("acl", "policy_ttl"), "acl.policy_ttl"),
    (("acl", "token_ttl"), "acl.token_ttl"),
    (("acl", "role_ttl"), "acl.role_ttl"),
    (("autopilot", "last_contact_threshold"), "autopilot.last_contact_threshold"),
    (("autopilot", "server_stabilization_time"), "autopilot.server_stabilization_time"),
    (("dns_config", "max_stale"), "dns_config.max_stale"),
    (("dns_config", "node_ttl"), "dns_config.node_ttl"),
    (("dns_config", "recursor_timeout"), "recursor_timeout"),
    (("dns_config", "cache_max_age"), "dns_config.cache_max_age"),
    (("limits", "https_handshake_timeout"), "limits.https_handshake_timeout"),
    (("limits", "rpc_handshake_timeout"), "limits.rpc_handshake_timeout"),
    (("limits", "rpc_client_timeout"), "limits.rpc_client_timeout"),
    (("performance", "leave_drain_time"), "performance.leave_drain_time"),
    (("performance", "rpc_hold_timeout"), "performance.rpc_hold_timeout"),
    (("telemetry", "prometheus_retention_time"), "prometheus_retention_time"),
    (("gossip_lan", "gossip_interval"), "gossip_lan..gossip_interval"),
    (("gossip_lan", "probe_interval"), "gossip_lan..probe_interval"),
    (("gossip_lan", "probe_timeout"), "gossip_lan..probe_timeout"),
    (("gossip_wan", "gossip_interval"), "gossip_wan..gossip_interval"),
    (("gossip_wan", "probe_interval"), "gossip_wan..probe_interval"),
    (("gossip_wan", "probe_timeout"), "gossip_wan..probe_timeout"),
    (("raft_logstore", "verification", "interval"), "raft_logstore.verification.interval"),
    (
        ("auto_config", "authorization", "static", "expiration_leeway"),
        "auto_config.authorization.static.expiration_leeway",
    ),
    (
        ("auto_config", "authorization", "static", "not_before_leeway"),
        "auto_config.authorization.static.not_before_leeway",
    ),
    (
        ("auto_config", "authorization", "static", "clock_skew_leeway"),
        "auto_config.authorization.static.clock_skew_leeway",
    ),
)
#: The durations of an agent check, by folded key, and the name Consul reports
#: (check[<id>].<name>).
CHECK_DURATIONS = {
    "interval": "interval",
    "timeout": "timeout",
    "ttl": "ttl",
    "deregistercriticalserviceafter": "deregister_critical_service_after",
}
#: agent/config/builder.go: server_rejoin_age_max may not be below 6h.
REJOIN_MIN_HOURS = 6


def _lookup(data: dict, names: tuple) -> tuple[tuple | None, Any]:
    path: tuple = ()
    current: Any = data
    for name in names[:-1]:
        key, current = block(current, name)
        if current is None:
            return None, None
        path += path_of(key)
    key, value = find(current, names[-1])
    return (path + (key,), value) if key is not None and value is not None else (None, None)


_NUMBER_THEN_UNIT = re.compile(r"^[+-]?([0-9]*(?:\.[0-9]*)?)([^0-9.]*)")


def _go_error(value: str) -> str:
    """time.ParseDuration's error text for a value it refuses."""
    quoted = json.dumps(value)
    match = _NUMBER_THEN_UNIT.match(value)
    if match and match.group(1) not in ("", ".") and not match.group(2):
        return f"time: missing unit in duration {quoted}"
    if match and match.group(1) not in ("", ".") and match.group(2) and duration(f"1{match.group(2)}") is None:
        unit = re.match(r"[^0-9.]*", match.group(2)).group(0)  # type: ignore[union-attr]
        return f"time: unknown unit {json.dumps(unit)} in duration {quoted}"
    return f"time: invalid duration {quoted}"


def _invalid(name: str, value: Any) -> str:
    return f"{name}: invalid duration: {json.dumps(value)}: {_go_error(value)}"


@checks("agent-config")
def durations(data: Any, context: Context) -> Iterator[Violation]:
    """Every duration the builder parses is a Go duration ("30s", "1h30m")."""
    for names, label in DURATIONS:
        path, value = _lookup(data, names)
        if path is None or not isinstance(value, str) or is_template(value):
            continue
        if duration(value) is None:
            yield Violation("value", path, _invalid(label, value), 'write a Go duration, e.g. "30s" or "1h30m"')
    path, ttls = _lookup(data, ("dns_config", "service_ttl"))
    if path is not None and isinstance(ttls, dict):
        for name, value in ttls.items():
            if isinstance(value, str) and not is_template(value) and duration(value) is None:
                yield Violation(
                    "value",
                    path + (name,),
                    _invalid(f"dns_config.service_ttl[{json.dumps(name)}]", value),
                    'write a Go duration, e.g. "30s"',
                )
    value = data.get("server_rejoin_age_max")
    if isinstance(value, str) and not is_template(value):
        seconds = duration(value)
        if seconds is None:
            yield Violation(
                "value",
                ("server_rejoin_age_max",),
                _invalid("server_rejoin_age_max", value),
                'write a Go duration, e.g. "168h"',
            )
        elif seconds < REJOIN_MIN_HOURS * 3600:
            yield Violation(
                "value",
                ("server_rejoin_age_max",),
                f"server_rejoin_age_max: duration '{value}' cannot be less than: 6h0m0s",
                'set at least "6h"',
            )


@checks("agent-config")
def check_durations(data: Any, context: Context) -> Iterator[Violation]:
    """The agent's own checks: check[<id>].interval/timeout/ttl/deregister_critical_service_after."""
    for name in ("check", "checks"):
        for path, check in blocks(data, name):
            check_id = next((v for k, v in check.items() if str(k).lower() == "id"), "")
            for key, value in check.items():
                label = CHECK_DURATIONS.get(str(key).replace("_", "").lower())
                if label and isinstance(value, str) and not is_template(value) and duration(value) is None:
                    yield Violation(
                        "value",
                        path + (key,),
                        _invalid(f"check[{check_id if isinstance(check_id, str) else ''}].{label}", value),
                        'write a Go duration, e.g. "10s"',
                    )


@checks("agent-config")
def cidrs(data: Any, context: Context) -> Iterator[Violation]:
    """http_config.allow_write_http_from: CIDR blocks (net.ParseCIDR)."""
    path, value = _lookup(data, ("http_config", "allow_write_http_from"))
    if path is None or not isinstance(value, list):
        return
    for i, item in enumerate(value):
        if not isinstance(item, str) or is_template(item):
            continue
        text = item.strip()
        try:
            valid = "/" in text and ipaddress.ip_network(text, strict=False) is not None
        except ValueError:
            valid = False
        if not valid:
            yield Violation(
                "value",
                path + (i,),
                f"allow_write_http_from: invalid cidr: {item}",
                'write a CIDR block, e.g. "10.0.0.0/8"',
            )
