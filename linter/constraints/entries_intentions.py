"""service-intentions: the parts of ``ServiceIntentionsConfigEntry.Validate``
(agent/structs/config_entry_intentions.go) the schema and PL106-PL108 do not already
cover, in Consul's words: a source's ``LegacyMeta`` on an ordinary (non-legacy) write,
and an HTTP permission with nothing to match on. (Entry ``Meta`` limits are
entries_common's, for every kind.)
"""

from __future__ import annotations

from typing import Any, Iterator

from linter.constraints import Context, Violation, checks
from linter.constraints.entries_common import is_set

HTTP_MATCHERS = ("PathExact", "PathPrefix", "PathRegex", "Header", "Methods")


@checks("entry-service-intentions")
def service_intentions(data: Any, context: Context) -> Iterator[Violation]:
    sources = data.get("Sources") if isinstance(data, dict) else None
    for i, source in enumerate(sources if isinstance(sources, list) else []):
        if not isinstance(source, dict):
            continue
        if is_set(source.get("LegacyMeta")):
            yield Violation(
                "conflict",
                ("Sources", i, "LegacyMeta"),
                f"Sources[{i}].LegacyMeta must be omitted",
                fix="remove LegacyMeta: it belongs to the legacy intentions API, not to config entries",
            )
        permissions = source.get("Permissions")
        for j, permission in enumerate(permissions if isinstance(permissions, list) else []):
            http = permission.get("HTTP") if isinstance(permission, dict) else None
            if isinstance(http, dict) and not any(is_set(http.get(f)) for f in HTTP_MATCHERS):
                yield Violation(
                    "missing",
                    ("Sources", i, "Permissions", j, "HTTP"),
                    f"Sources[{i}].Permissions[{j}].HTTP should not be empty",
                    fix="match on a path, a header or methods (or remove the permission)",
                )
