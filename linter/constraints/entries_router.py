"""service-router: ``ServiceRouterConfigEntry.Normalize`` then ``Validate``
(agent/structs config_entry_discoverychain.go), in Consul's words.

Covered: Name; each route's HTTP match (``PathExact``/``PathPrefix`` start with ``/``,
at most one path matcher, each header and query parameter named and with exactly one
matcher, methods Envoy knows and none twice: Normalize upper-cases them first) and its
destination (``PrefixRewrite`` only with an exact or prefix path match, retry conditions
Envoy knows). Consul stops at the first problem; each route's problems here are the
ones Consul would name for it, in its order. The Meta limits are entries_common's.

Not checked: that the service speaks HTTP and that a destination's service or subset
exists (the discovery chain compile needs the catalog and the other entries).
"""

from __future__ import annotations

from typing import Any, Iterator

from linter.constraints import Context, Violation, checks
from linter.constraints.entries_common import mapping, quote, text

HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE")
RETRY_CONDITIONS = (
    "5xx",
    "gateway-error",
    "reset",
    "connect-failure",
    "envoy-ratelimited",
    "retriable-4xx",
    "refused-stream",
    "cancelled",
    "deadline-exceeded",
    "internal",
    "resource-exhausted",
    "unavailable",
)
PATHS = ("PathExact", "PathPrefix", "PathRegex")
HEADER_MATCHERS = ("Present", "Exact", "Regex", "Prefix", "Suffix")
QUERY_MATCHERS = ("Present", "Exact", "Regex")


def name_required(data: dict) -> Iterator[Violation]:
    """``Name is required`` (every discovery-chain kind), at Name or the Kind line."""
    if not text(data, "Name"):
        anchor = ("Name",) if "Name" in data else ()
        yield Violation(
            "missing", ("Name",), "Name is required", fix="set Name to the service this entry is for", anchor=anchor
        )


def _set(entry: dict, field: str) -> bool:
    """A matcher counts when set: a non-empty string, or ``true`` for Present."""
    value = entry.get(field)
    return value is True if field == "Present" else isinstance(value, str) and value != ""


def _matchers(entry: dict, fields: tuple, where: tuple, what: str, label: str) -> Iterator[Violation]:
    """A header or query parameter: a Name, then exactly one matcher."""
    if not text(entry, "Name"):
        anchor = where + ("Name",) if "Name" in entry else where
        yield Violation(
            "missing",
            where + ("Name",),
            f"{label} missing required Name field",
            fix="name the field to match",
            anchor=anchor,
        )
        return
    found = [f for f in entry if f in fields and _set(entry, f)]
    if len(found) == 1:
        return
    message = f"{label} should only contain one of {what}"
    if found:
        yield Violation("conflict", where + (found[-1],), message, fix=f"keep one of {', '.join(found)}")
    else:
        yield Violation("missing", where, message, fix=f"set one of {what}", anchor=where)


def _http(i: int, http: dict) -> Iterator[Violation]:
    where = ("Routes", i, "Match", "HTTP")
    for field in ("PathExact", "PathPrefix"):
        value = text(http, field)
        if value and not value.startswith("/"):
            yield Violation(
                "value",
                where + (field,),
                f"Route[{i}] {field} doesn't start with '/': {quote(value)}",
                fix=f'start {field} with "/"',
            )
    paths = [f for f in http if f in PATHS and text(http, f)]
    if len(paths) > 1:
        yield Violation(
            "conflict",
            where + (paths[-1],),
            f"Route[{i}] should only contain at most one of PathExact, PathPrefix, or PathRegex",
            fix="keep one path matcher; write another route for another path",
        )
    for j, header in enumerate(http.get("Header") if isinstance(http.get("Header"), list) else []):
        if isinstance(header, dict):
            yield from _matchers(
                header,
                HEADER_MATCHERS,
                where + ("Header", j),
                "Present, Exact, Prefix, Suffix, or Regex",
                f"Route[{i}] Header[{j}]",
            )
    for j, param in enumerate(http.get("QueryParam") if isinstance(http.get("QueryParam"), list) else []):
        if isinstance(param, dict):
            yield from _matchers(
                param,
                QUERY_MATCHERS,
                where + ("QueryParam", j),
                "Present, Exact, or Regex",
                f"Route[{i}] QueryParam[{j}]",
            )
    seen: set[str] = set()
    methods = http.get("Methods") if isinstance(http.get("Methods"), list) else []
    for k, method in enumerate(methods):
        if not isinstance(method, str):
            continue
        upper = method.upper()  # Normalize
        if upper not in HTTP_METHODS:
            yield Violation(
                "value",
                where + ("Methods", k),
                f"Route[{i}] Methods contains an invalid method {quote(upper)}",
                fix=f"use one of {', '.join(HTTP_METHODS)}",
            )
            return
        if upper in seen:
            yield Violation(
                "value",
                where + ("Methods", k),
                f"Route[{i}] Methods contains {quote(upper)} more than once",
                fix=f"remove the second {upper} (methods are matched in any case)",
            )
            return
        seen.add(upper)


def _destination(i: int, destination: dict, http: dict | None) -> Iterator[Violation]:
    where = ("Routes", i, "Destination")
    eligible = http is not None and bool(text(http, "PathExact") or text(http, "PathPrefix"))
    if text(destination, "PrefixRewrite") and not eligible:
        yield Violation(
            "value",
            where + ("PrefixRewrite",),
            f"Route[{i}] cannot make use of PrefixRewrite without configuring either PathExact or PathPrefix",
            fix="match this route on PathExact or PathPrefix, or remove PrefixRewrite",
        )
    retry = destination.get("RetryOn") if isinstance(destination.get("RetryOn"), list) else []
    for k, condition in enumerate(retry):
        if isinstance(condition, str) and condition not in RETRY_CONDITIONS:
            yield Violation(
                "value",
                where + ("RetryOn", k),
                f"Route[{i}] contains an invalid retry condition: {quote(condition)}",
                fix=f"use one of {', '.join(RETRY_CONDITIONS)}",
            )


@checks("entry-service-router")
def service_router(data: Any, context: Context) -> Iterator[Violation]:
    if not isinstance(data, dict):
        return
    yield from name_required(data)
    routes = data.get("Routes") if isinstance(data.get("Routes"), list) else []
    for i, route in enumerate(routes):
        if not isinstance(route, dict):
            continue
        http = mapping(route, "Match", "HTTP")
        if http is not None:
            yield from _http(i, http)
        destination = mapping(route, "Destination")
        if destination is not None:
            yield from _destination(i, destination, http)
