"""Config entries: what every kind's ``Validate()`` shares (``validateConfigEntryMeta``)
and the small readers the per-kind modules use (Go durations, set-or-not).

Consul validates an entry's ``Meta`` the same way for every kind (at most 64 pairs,
keys of at most 128 bytes, values of at most 512), so it is one check registered for
every config-entry schema.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from linter.constraints import Context, Violation, checks

__all__ = ["ENTRY_SCHEMAS", "duration", "go_duration", "is_set", "mapping", "meta_violations", "quote", "text"]

#: The config-entry schemas (schemas/entry-*.json) whose kinds decode a Meta map.
ENTRY_SCHEMAS = (
    "entry-exported-services",
    "entry-service-intentions",
    "entry-mesh",
    "entry-proxy-defaults",
    "entry-service-defaults",
    "entry-sameness-group",
    "entry-service-resolver",
    "entry-jwt-provider",
    "entry-service-router",
    "entry-service-splitter",
)

META_MAX_PAIRS = 64
META_KEY_MAX = 128
META_VALUE_MAX = 512

_UNITS = {
    "ns": 1,
    "us": 1_000,
    "µs": 1_000,
    "μs": 1_000,
    "ms": 1_000_000,
    "s": 10**9,
    "m": 60 * 10**9,
    "h": 3600 * 10**9,
}
_PART = re.compile(r"(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)")


def go_duration(value: Any) -> int | None:
    """Nanoseconds of a Go ``time.Duration`` as the decoder reads it: an integer is
    nanoseconds, a string goes through ``time.ParseDuration`` (``"-1s"``, ``"1h30m"``);
    None when it is neither (the schema layer reports the type)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if not isinstance(value, str) or not value:
        return 0 if value == "" else None
    text_ = value
    sign = 1
    if text_[0] in "+-":
        sign = -1 if text_[0] == "-" else 1
        text_ = text_[1:]
    if text_ == "0":
        return 0
    total = 0.0
    pos = 0
    while pos < len(text_):
        match = _PART.match(text_, pos)
        if not match:
            return None
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    return sign * int(total) if pos else None


def duration(data: dict, key: str) -> int:
    """A duration field's nanoseconds, 0 when absent or unreadable."""
    return go_duration(data.get(key)) or 0


def is_set(value: Any) -> bool:
    """Go's zero-value test for the fields Validate() compares with "" / nil / 0."""
    return value not in (None, "", 0, False, [], {})


def mapping(data: Any, *keys: Any) -> dict | None:
    """The mapping at ``keys`` under ``data``, or None."""
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data if isinstance(data, dict) else None


def text(data: Any, key: str) -> str:
    """A string field ("" when absent or not a string: the schema reports the type)."""
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, str) else ""


def meta_violations(meta: Any, path: tuple) -> Iterator[Violation]:
    """``validateConfigEntryMeta``: Consul's limits on a config entry's Meta."""
    if not isinstance(meta, dict):
        return
    if len(meta) > META_MAX_PAIRS:
        yield Violation(
            "value",
            path,
            f"Meta exceeds maximum element count {META_MAX_PAIRS}",
            fix=f"keep at most {META_MAX_PAIRS} Meta pairs",
        )
    for key, value in meta.items():
        if len(str(key).encode()) > META_KEY_MAX:
            yield Violation(
                "value",
                path + (key,),
                f"Meta key {quote(key)} exceeds maximum length {META_KEY_MAX}",
                fix=f"shorten the key to at most {META_KEY_MAX} bytes",
            )
        if isinstance(value, str) and len(value.encode()) > META_VALUE_MAX:
            yield Violation(
                "value",
                path + (key,),
                f"Meta value for key {quote(key)} exceeds maximum length {META_VALUE_MAX}",
                fix=f"shorten the value to at most {META_VALUE_MAX} bytes",
            )


def quote(value: Any) -> str:
    """Go's %q for the plain strings these messages quote."""
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


@checks(*ENTRY_SCHEMAS)
def entry_meta(data: Any, context: Context) -> Iterator[Violation]:
    if isinstance(data, dict):
        yield from meta_violations(data.get("Meta"), ("Meta",))
