"""Reading an agent configuration file the way the agent's config builder does
(``agent/config/builder.go``), for the agent-config constraint modules.

Most agent blocks are free-form in ``schemas/agent-config.json`` (the decoder's own
key check is PL101's job), so nested keys reach the checks as written: the agent's
decoder matches them case-insensitively (mapstructure's EqualFold on the snake_case
tag), and an HCL block may arrive as a one-element list. These helpers read through
both, and return the key as written so a violation's path leads back to the node.

What one file cannot say. The agent merges every file of its ``-config-dir`` and its
command-line flags (``-server``, ``-datacenter``, ``-bind``, ``-dev``...), which no
file shows. A check that depends on a setting the file does not write stays silent,
with one exception spelt out in :func:`server_mode`: ``server`` written in the file.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from linter.constraints import is_template

__all__ = [
    "block",
    "blocks",
    "boolean",
    "duration",
    "find",
    "integer",
    "ip",
    "is_any",
    "is_template",
    "server_mode",
    "string",
]

_DURATION = re.compile(r"([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)")
_UNITS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "μs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
}


def find(data: Any, name: str) -> tuple[Any, Any]:
    """(key as written, value) of ``name`` in a mapping, matched the way the agent's
    decoder does (case-insensitively); (None, None) when absent or not a mapping."""
    if not isinstance(data, dict):
        return None, None
    if name in data:
        return name, data[name]
    lower = name.lower()
    for key, value in data.items():
        if isinstance(key, str) and key.lower() == lower:
            return key, value
    return None, None


def block(data: Any, name: str) -> tuple[Any, dict | None]:
    """(key, mapping) of a block: a mapping, or an HCL block list of one mapping
    (HookWeakDecodeFromSlice); None for anything else."""
    key, value = find(data, name)
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
        key = (key, 0)
    return (key, value) if isinstance(value, dict) else (None, None)


def blocks(data: Any, name: str) -> list[tuple[tuple, dict]]:
    """Every mapping of a repeatable block (``check``/``checks``, ``bootstrap``),
    each with its path below ``data``."""
    key, value = find(data, name)
    if isinstance(value, dict):
        return [((key,), value)]
    if isinstance(value, list):
        return [((key, i), item) for i, item in enumerate(value) if isinstance(item, dict)]
    return []


def path_of(key: Any) -> tuple:
    """A :func:`block` key as a path fragment."""
    return key if isinstance(key, tuple) else (key,)


def boolean(value: Any) -> bool | None:
    """True/False for a bool (or the words HCL users quote); None otherwise."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip(), 10)
        except ValueError:
            return None
    return None


def string(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def duration(value: Any) -> float | None:
    """Seconds of a Go duration string (time.ParseDuration); None when it is not one."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text in ("0", "+0", "-0"):
        return 0.0
    sign = -1.0 if text.startswith("-") else 1.0
    text = text.lstrip("+-")
    if not text:
        return None
    total, pos = 0.0, 0
    while pos < len(text):
        match = _DURATION.match(text, pos)
        if not match or match.group(1) in ("", "."):
            return None
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    return sign * total


def ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """net.ParseIP (plus the ``[::]`` spelling the builder accepts)."""
    text = "::" if value == "[::]" else value
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def is_any(value: Any) -> bool:
    """ipaddr.IsAny on a string: 0.0.0.0, :: or [::]."""
    return isinstance(value, str) and value in ("0.0.0.0", "::", "[::]")


def server_mode(data: dict) -> bool | None:
    """``server`` as the file writes it; None when it does not (a ``-server`` flag or
    another file of the agent's config directory may say it, so a check that needs to
    know stays silent)."""
    return boolean(data.get("server"))
