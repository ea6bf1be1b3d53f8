"""consul-k8s webhooks: ServiceRouter and ServiceSplitter (``servicerouter_types.go``,
``servicesplitter_types.go`` ``Validate``), in the webhook's words.

ServiceRouter: a ``destination.prefixRewrite`` needs a ``pathExact`` or ``pathPrefix``
match on its route; at most one path matcher; ``pathExact``/``pathPrefix`` begin with
``/``; at most one matcher per header and per query parameter. ServiceSplitter: each
weight 0 or between 0.01 and 100, and the weights add up to 100 (float32 sums, as Go
adds them). Both: the destination's or split's ``namespace`` and ``partition`` an
install without namespaces or partitions refuses (wherever the Helm values say the flag
is off, CE included: PL109 does not cover these fields). The webhook prints a struct as consul-k8s marshals it (Go field
order, ``omitempty``); that is reproduced here for the refusal's value.

The rest of Consul's own ``Validate`` (methods, retry conditions, a header without a
matcher) runs when the controller writes the entry, not at ``kubectl apply``; those are
not reported for custom resources.
"""

from __future__ import annotations

import json
import math
from typing import Any, Iterator

from linter.constraints import Context, Violation, checks
from linter.constraints.entries_router_splitter import f32
from linter.constraints.k8s import SPEC, invalid, invalid_absent, obj, prefix, seq, text
from linter.constraints.k8s_resolver import duration_ns

#: Go struct field order and encoding of the types the webhook marshals: "o" omitempty,
#: "req" always (no omitempty), "dur" a metav1.Duration (a struct: always, "0s" when
#: unset), "f32" a float32 (omitempty), "map" a map (omitempty, keys sorted), a name: a
#: nested struct pointer (omitempty).
FIELDS = {
    "route": (("match", "match"), ("destination", "destination")),
    "match": (("http", "http"),),
    "http": (
        ("caseInsensitive", "o"),
        ("pathExact", "o"),
        ("pathPrefix", "o"),
        ("pathRegex", "o"),
        ("header", "header[]"),
        ("queryParam", "query[]"),
        ("methods", "o"),
    ),
    "header": (
        ("name", "req"),
        ("present", "o"),
        ("exact", "o"),
        ("prefix", "o"),
        ("suffix", "o"),
        ("regex", "o"),
        ("invert", "o"),
    ),
    "query": (("name", "req"), ("present", "o"), ("exact", "o"), ("regex", "o")),
    "destination": (
        ("service", "o"),
        ("serviceSubset", "o"),
        ("namespace", "o"),
        ("partition", "o"),
        ("prefixRewrite", "o"),
        ("idleTimeout", "dur"),
        ("requestTimeout", "dur"),
        ("numRetries", "o"),
        ("retryOnConnectFailure", "o"),
        ("retryOn", "o"),
        ("retryOnStatusCodes", "o"),
        ("requestHeaders", "headers"),
        ("responseHeaders", "headers"),
    ),
    "headers": (("add", "map"), ("set", "map"), ("remove", "o")),
    "split": (
        ("weight", "f32"),
        ("service", "o"),
        ("serviceSubset", "o"),
        ("namespace", "o"),
        ("partition", "o"),
        ("requestHeaders", "headers"),
        ("responseHeaders", "headers"),
    ),
}


WEIGHT_RANGE = "weight must be a percentage between 0.01 and 100"


def _trim(whole: int, frac: int, digits: int) -> str:
    text_ = f"{frac:0{digits}d}".rstrip("0")
    return f"{whole}.{text_}" if text_ else str(whole)


def duration_text(value: Any) -> str:
    """A ``metav1.Duration`` as it marshals: Go's ``Duration.String()`` (``"1m0s"``,
    ``"1.5s"``); the text as written when it is not a Go duration."""
    ns = duration_ns(value) if isinstance(value, str) and value else 0
    if ns is None:
        return str(value)
    ns = int(round(ns))
    sign, u = ("-" if ns < 0 else ""), abs(ns)
    if u == 0:
        return "0s"
    if u < 1_000:
        return f"{sign}{u}ns"
    if u < 1_000_000:
        return f"{sign}{_trim(u // 1_000, u % 1_000, 3)}µs"
    if u < 1_000_000_000:
        return f"{sign}{_trim(u // 1_000_000, u % 1_000_000, 6)}ms"
    hours, rest = divmod(u, 3_600_000_000_000)
    minutes, rest = divmod(rest, 60_000_000_000)
    seconds = _trim(rest // 1_000_000_000, rest % 1_000_000_000, 9) + "s"
    return sign + (f"{hours}h" if hours else "") + (f"{minutes}m" if hours or minutes else "") + seconds


def float32_text(value: float) -> str:
    """A float32 the way Go prints it (``%v`` and encoding/json: the shortest text that
    reads back as the same float32)."""
    value = f32(value)
    if math.isinf(value) or math.isnan(value):
        return str(value)
    if value == int(value) and abs(value) < 1e21:
        return str(int(value))
    for digits in range(1, 10):
        candidate = f"{value:.{digits}g}"
        if f32(float(candidate)) == value:
            return candidate
    return repr(value)


def go_json(value: Any, kind: str) -> Any:
    """``value`` (canonical data) as a JSON fragment in Go's field order for ``kind``."""
    if kind.endswith("[]"):
        return "[" + ",".join(go_json(item, kind[:-2]) for item in seq(value)) + "]"
    parts = []
    data = obj(value)
    for name, how in FIELDS[kind]:
        item = data.get(name)
        if how == "dur":
            parts.append(f'"{name}":' + json.dumps(duration_text(item)))
        elif how == "req":
            parts.append(f'"{name}":' + json.dumps(item if isinstance(item, str) else ""))
        elif how == "map":  # encoding/json sorts a map's keys
            if isinstance(item, dict) and item:
                parts.append(f'"{name}":' + json.dumps(item, separators=(",", ":"), ensure_ascii=False, sort_keys=True))
        elif how == "f32":
            if isinstance(item, (int, float)) and not isinstance(item, bool) and item != 0:
                parts.append(f'"{name}":' + float32_text(item))
        elif how in FIELDS or how.endswith("[]"):
            if name in data and (how in FIELDS or seq(item)):
                parts.append(f'"{name}":' + go_json(item, how))
        elif item not in (None, "", 0, False, [], {}) or (isinstance(item, dict) and name in data):
            parts.append(f'"{name}":' + json.dumps(item, separators=(",", ":"), ensure_ascii=False))
    return "{" + ",".join(parts) + "}"


def flag_off(context: Context, flag: str) -> bool:
    """Whether the webhook is known to run with ``flag`` off. Unlike the other kinds'
    namespace fields (``turned_off``), PL109 does not report a route destination's or a
    split's namespace and partition on CE, so the webhook's own refusal is reported on
    CE too (a CE install always runs with both off)."""
    return getattr(context, flag, None) is False


def _later(body: dict, fields: tuple) -> list[str]:
    """The fields of ``fields`` set in ``body`` (document order): Go's numNonZeroValue."""
    return [f for f in body if f in fields and body[f] not in (None, "", False)]


def _http(data: Any, path: tuple, http: dict) -> Iterator[Violation]:
    where = f"spec.routes[{path[2]}].match.http"
    paths = _later(http, ("pathExact", "pathPrefix", "pathRegex"))
    if len(paths) > 1:
        detail = "at most only one of pathExact, pathPrefix, or pathRegex may be configured"
        yield invalid(
            data,
            path + (paths[-1],),
            where,
            go_json(http, "http"),
            detail,
            kind="conflict",
            fix="keep one path matcher",
        )
    for field in ("pathExact", "pathPrefix"):
        value = http.get(field)
        if isinstance(value, str) and value and not value.startswith("/"):
            yield invalid(
                data, path + (field,), f"{where}.{field}", value, "must begin with a '/'", fix=f"start {field} with /"
            )
    for name, fields, kind, detail in (
        (
            "header",
            ("exact", "prefix", "suffix", "regex", "present"),
            "header",
            "exact, prefix, suffix, regex, or present",
        ),
        ("queryParam", ("exact", "regex", "present"), "query", "exact, regex, or present"),
    ):
        for j, body in enumerate(seq(http.get(name))):
            found = _later(obj(body), fields)
            if len(found) > 1:
                yield invalid(
                    data,
                    path + (name, j, found[-1]),
                    f"{where}.{name}[{j}]",
                    go_json(body, kind),
                    f"at most only one of {detail} may be configured",
                    kind="conflict",
                    fix=f"keep one of {', '.join(found)}",
                )


@checks("crd-servicerouter")
def service_router(data: Any, context: Context) -> Iterator[Violation]:
    """``ServiceRouter.Validate``."""
    routes = seq(obj(obj(data).get("spec")).get("routes"))
    for i, route in enumerate(routes):
        route = obj(route)
        path = SPEC + ("routes", i)
        destination = obj(route.get("destination"))
        http = obj(route.get("match")).get("http")
        if text(destination.get("prefixRewrite")):
            if not isinstance(http, dict) or not (text(http.get("pathPrefix")) or text(http.get("pathExact"))):
                detail = (
                    "destination.prefixRewrite requires that either match.http.pathPrefix or "
                    "match.http.pathExact be configured on this route"
                )
                yield invalid(
                    data,
                    path + ("destination", "prefixRewrite"),
                    f"spec.routes[{i}]",
                    go_json(route, "route"),
                    detail,
                    fix="match this route on pathPrefix or pathExact, or remove prefixRewrite",
                )
        if isinstance(http, dict):
            yield from _http(data, path + ("match", "http"), http)
    for flag, field, feature in (
        ("namespaces_enabled", "namespace", "namespaces"),
        ("partitions_enabled", "partition", "partitions"),
    ):
        if flag_off(context, flag):
            for i, route in enumerate(routes):
                value = text(obj(obj(route).get("destination")).get(field))
                if value:
                    detail = f"Consul Enterprise {feature} must be enabled to set destination.{field}"
                    at = SPEC + ("routes", i, "destination", field)
                    yield invalid(data, at, f"spec.routes[{i}].destination.{field}", value, detail)


def _weight(value: Any) -> float:
    return f32(float(value)) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


@checks("crd-servicesplitter")
def service_splitter(data: Any, context: Context) -> Iterator[Violation]:
    """``ServiceSplitter.Validate``."""
    if "spec" in obj(data) and not isinstance(obj(data)["spec"], dict):
        return  # the schema reports the type
    spec = obj(obj(data).get("spec"))
    splits = seq(spec.get("splits"))
    if any(
        not isinstance(obj(s).get("weight", 0), (int, float)) or isinstance(obj(s).get("weight"), bool) for s in splits
    ):
        return  # a weight of another type: the API server refuses it first (the schema reports it)
    total = 0.0
    low, high = f32(0.01), f32(100)
    for i, split in enumerate(splits):
        weight = _weight(obj(split).get("weight"))
        if weight != 0 and (weight > high or weight < low):
            where = f"spec.splits[{i}].weight"  # a float32 prints bare (%v), not quoted
            message = f"{prefix(data)}{where}: Invalid value: {float32_text(weight)}: {WEIGHT_RANGE}"
            yield Violation("value", SPEC + ("splits", i, "weight"), message, "use a weight from 0.01 to 100")
        total = f32(total + weight)
    if total != 100:
        detail = f"the sum of weights across all splits must add up to 100 percent, but adds up to {total:f}"
        fix = "make the weights add up to 100"
        if "splits" in spec:
            yield invalid(
                data, SPEC + ("splits",), "spec.splits", go_json(splits, "split[]"), detail, fix=fix, at_key=True
            )
        else:
            yield invalid_absent(data, SPEC, "splits", "spec.splits", None, detail, fix=fix)
    for flag, field, feature in (
        ("namespaces_enabled", "namespace", "namespaces"),
        ("partitions_enabled", "partition", "partitions"),
    ):
        if flag_off(context, flag):
            for i, split in enumerate(splits):
                value = text(obj(split).get(field))
                if value:
                    detail = f"Consul Enterprise {feature} must be enabled to set split.{field}"
                    yield invalid(data, SPEC + ("splits", i, field), f"spec.splits[{i}].{field}", value, detail)
