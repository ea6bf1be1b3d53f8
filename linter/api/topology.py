"""Helper tier: questions that combine topology items (which exports reach a peer,
which peered upstreams call an export, which gateway mode applies to peered traffic).
A facade over :mod:`linter.graph.questions`."""

from __future__ import annotations

from linter.graph.questions import (
    describe_mode_setting,
    exports_of,
    gateways_known,
    name_for,
    peer_upstreams_to,
    peered_mode_settings,
)

__all__ = [
    "describe_mode_setting",
    "exports_of",
    "gateways_known",
    "name_for",
    "peer_upstreams_to",
    "peered_mode_settings",
]
