"""service-splitter: ``ServiceSplitterConfigEntry.Normalize`` then ``Validate``
(agent/structs config_entry_discoverychain.go), in Consul's words.

Covered: Name; at least one split; no split destination twice (service, defaulting to
the entry's name, subset, namespace and partition; a split with request or response
header changes is never the same key in Go, which compares their pointers); the
weights, in Consul's float32 arithmetic scaled to 0.01% units, sum to exactly 100.

Not checked: that the service speaks HTTP and that a split's service or subset exists
(the discovery chain compile needs the catalog and the other entries).
"""

from __future__ import annotations

import math
import struct
from typing import Any, Iterator

from linter.constraints import Context, Violation, checks
from linter.constraints.entries_common import quote, text
from linter.constraints.entries_router import name_required

MAX_SCALED = 100 * 100


def f32(value: float) -> float:
    """The float32 nearest ``value`` (Go's ``float32(...)``; IEEE round to nearest even)."""
    try:
        return struct.unpack("f", struct.pack("f", value))[0]
    except OverflowError:
        return math.copysign(math.inf, value)


def go_round(value: float) -> int:
    """``math.Round``: half away from zero."""
    return int(math.copysign(math.floor(abs(value) + 0.5), value))


def scale_weight(weight: float) -> int:
    """``scaleWeight``: ``int(math.Round(float64(v * 100.0)))``, the product in float32."""
    return go_round(f32(f32(weight) * 100.0))


def normalized(weight: float) -> float:
    """``NormalizeServiceSplitWeight``: the weight rounded to 0.01%."""
    return f32(f32(float(scale_weight(weight))) / 100.0)


def weight_of(split: dict) -> float | None:
    value = split.get("Weight", 0)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None  # the schema reports the type
    return float(value)


@checks("entry-service-splitter")
def service_splitter(data: Any, context: Context) -> Iterator[Violation]:
    if not isinstance(data, dict):
        return
    named = text(data, "Name")
    yield from name_required(data)
    splits = data.get("Splits") if isinstance(data.get("Splits"), list) else []
    if not splits:
        anchor = ("Splits",) if "Splits" in data else ()
        yield Violation(
            "missing", ("Splits",), "no splits configured", fix="add Splits whose weights add up to 100", anchor=anchor
        )
        return
    found: set[tuple] = set()
    for i, split in enumerate(splits):
        if not isinstance(split, dict):
            continue
        if "RequestHeaders" in split or "ResponseHeaders" in split:
            continue  # Go compares the header pointers: never equal
        key = (
            text(split, "Service") or named,
            text(split, "ServiceSubset"),
            text(split, "Namespace"),
            text(split, "Partition"),
        )
        if key in found:
            service, subset, namespace, partition = key
            yield Violation(
                "value",
                ("Splits", i),
                f"split destination occurs more than once: service={quote(service)}, subset={quote(subset)}, "
                f"namespace={quote(namespace)}, partition={quote(partition)}",
                fix="merge the two splits into one and add their weights",
                anchor=("Splits", i),
            )
            return
        found.add(key)
    weights = [weight_of(s) if isinstance(s, dict) else 0.0 for s in splits]
    if any(w is None for w in weights):
        return
    total = sum(scale_weight(normalized(w)) for w in weights if w is not None)
    if total != MAX_SCALED:
        yield Violation(
            "value",
            ("Splits",),
            f"the sum of all split weights must be 100, not {f32(total / 100):f}",
            fix="make the weights add up to 100 (in steps of 0.01)",
            anchor=("Splits",),
        )
