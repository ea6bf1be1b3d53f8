"""Health checks of an agent service definition: ``CheckType.Validate``
(``agent/structs/check_type.go``), which the agent runs on a service's ``check`` and
``checks`` when the configuration is loaded (``ServiceDefinition.Validate``,
``CheckTypes``) and on its ``sidecar_service``'s when it builds the sidecar
(``sidecarServiceFromNodeService``), and refuses to start on.

A check runs on an interval (script ``args``, ``http``, ``tcp``, ``udp``, ``grpc``,
``h2ping``, ``os_service``), is an alias (``alias_service`` / ``alias_node``) or is a
TTL check; the interval and the TTL exclude each other. Durations are read as Go's
``time.ParseDuration`` does; one that does not parse is the builder's own error
(``durationVal``), reported instead of the rules it makes moot.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from linter.constraints import Context, Violation, checks
from linter.constraints.service_proxy import prefix

INTERVAL_FIELDS = ("args", "http", "tcp", "udp", "grpc", "h2ping", "os_service")
_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")


def go_duration(value: Any) -> float | None:
    """Seconds in a Go duration string (``"10s"``, ``"1m30s"``, ``"-1ns"``), or None."""
    if not isinstance(value, str) or not value:
        return None
    text, sign = value, 1.0
    if text[0] in "+-":
        sign, text = (-1.0 if text[0] == "-" else 1.0), text[1:]
    if text == "0":
        return 0.0
    total, pos = 0.0, 0
    while pos < len(text):
        match = _PART.match(text, pos)
        if not match:
            return None
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    return sign * total if pos else None


def _service_checks(data: dict, base: tuple = ()) -> Iterator[tuple[tuple, dict]]:
    """(path, check) for a service's ``check`` and ``checks``, then its
    ``sidecar_service``'s, which the agent validates when it builds the sidecar."""
    if isinstance(data.get("check"), dict) and data["check"]:
        yield base + ("check",), data["check"]
    if isinstance(data.get("checks"), list):
        for i, check in enumerate(data["checks"]):
            if isinstance(check, dict) and check:
                yield base + ("checks", i), check
    connect = data.get("connect")
    if not base and isinstance(connect, dict) and isinstance(connect.get("sidecar_service"), dict):
        yield from _service_checks(connect["sidecar_service"], ("connect", "sidecar_service"))


@checks("agent-service")
def check_types(data: Any, context: Context) -> Iterator[Violation]:
    """``CheckType.Validate`` on each of the service's checks (the first problem each)."""
    if not isinstance(data, dict):
        return
    for path, check in _service_checks(data):
        bad = _bad_duration(path, check)
        if bad is not None:
            yield bad
            continue
        found = _check_problem(path, check)
        if found is not None:
            kind, at, anchor, message, fix = found
            name = check.get("name") if isinstance(check.get("name"), str) else ""
            where = "sidecar_service: " if path[0] == "connect" else ""
            yield Violation(kind, at, prefix(data) + where + f'check "{name}": {message}', fix=fix, anchor=anchor)


DURATION_FIELDS = ("interval", "timeout", "ttl", "deregister_critical_service_after")


def _bad_duration(path: tuple, check: dict) -> Violation | None:
    """The builder's ``durationVal`` on a check's durations: ``check[<id>].<field>:
    invalid duration: "<value>"`` for a string ``time.ParseDuration`` refuses."""
    for field in DURATION_FIELDS:
        value = check.get(field)
        if isinstance(value, str) and go_duration(value) is None:
            check_id = check.get("id") if isinstance(check.get("id"), str) else ""
            return Violation(
                "value",
                path + (field,),
                f'check[{check_id}].{field}: invalid duration: "{value}"',
                fix='write a Go duration: a number and a unit (ns, us, ms, s, m, h), e.g. "10s"',
            )
    return None


def _check_problem(path: tuple, check: dict) -> tuple | None:
    """(kind, path, anchor, message, fix) of the first error ``Validate`` returns."""
    durations = {}
    for field in ("interval", "ttl"):
        if field in check:
            seconds = go_duration(check[field])
            if seconds is None:
                return None  # the decoder refuses it first
            durations[field] = seconds
    interval, ttl = durations.get("interval", 0.0), durations.get("ttl", 0.0)
    kinds = [f for f in INTERVAL_FIELDS if check.get(f)]
    alias = bool(check.get("alias_service") or check.get("alias_node"))
    if interval > 0 and ttl > 0:
        return (
            "conflict",
            path + ("ttl",),
            path + ("ttl",),
            "Interval and TTL cannot both be specified",
            "keep interval (a check Consul runs) or ttl (a check the service updates), not both",
        )
    if kinds and interval <= 0:
        message = "Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or OSService checks"
        if "interval" in check:
            return ("value", path + ("interval",), None, message, 'set a positive interval, e.g. "10s"')
        return ("missing", path + ("interval",), path + (kinds[0],), message, 'set interval, e.g. "10s"')
    if kinds and alias:
        return (
            "conflict",
            path + (kinds[0],),
            path + (kinds[0],),
            "Interval cannot be set for Alias checks",
            f"remove {kinds[0]}: an alias check follows another service's health",
        )
    if alias and ttl > 0:
        return ("conflict", path + ("ttl",), path + ("ttl",), "TTL must be not be set for Alias checks", "remove ttl")
    if not kinds and not alias and ttl <= 0:
        message = "TTL must be > 0 for TTL checks"
        if "ttl" in check:
            return ("value", path + ("ttl",), None, message, 'set a positive ttl, e.g. "30s"')
        return ("missing", path + ("ttl",), path, message, "set ttl, or what the check runs (http, tcp, args, ...)")
    return None
