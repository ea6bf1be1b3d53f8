"""Network segments in the agent configuration (``agent/config/builder.go`` ``build``
and, for Consul CE, ``segment_ce.go`` ``validateSegments``).

Segments are a Consul Enterprise feature: the CE agent refuses ``segment`` and
``segments`` outright. The edition comes from the check's context, which follows
peerlint's edition rules (an agent file with segments marks its cluster Enterprise
unless the configuration says CE), so this only fires where CE is stated.
"""

from __future__ import annotations

from typing import Any, Iterator

from linter.constraints import Context, Violation, checks
from linter.constraints.agent_common import find, integer

NOT_SUPPORTED = "Network segments are not supported in this version of Consul"


@checks("agent-config")
def segments(data: Any, context: Context) -> Iterator[Violation]:
    """Each segment needs a port; CE has no segments."""
    key, listed = find(data, "segments")
    items = listed if isinstance(listed, list) else [listed] if isinstance(listed, dict) else []
    for i, segment in enumerate(items):
        if not isinstance(segment, dict):
            continue
        name = find(segment, "name")[1]
        pkey, port = find(segment, "port")
        number = integer(port)
        if port is None or (number is not None and number <= 0):
            base = (key, i) if isinstance(listed, list) else (key,)
            yield Violation(
                "value" if pkey is not None else "missing",
                base + ((pkey,) if pkey is not None else ("port",)),
                f'Port for segment "{name if isinstance(name, str) else ""}" cannot be <= 0',
                "give the segment its own port, e.g. 8303",
                anchor=None if pkey is not None else base,
            )
    if context.enterprise:
        return
    segment = data.get("segment")
    if isinstance(segment, str) and segment:
        yield Violation("value", ("segment",), NOT_SUPPORTED, "remove segment: network segments need Consul Enterprise")
    if items:
        yield Violation("value", (key,), NOT_SUPPORTED, "remove segments: network segments need Consul Enterprise")
