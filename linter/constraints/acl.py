"""ACL rules (``acl/policy.go`` ``PolicyRules.Validate``): what the schema's per-value
patterns cannot say.

The schema (``schemas/acl-rules.json``) checks every ``policy`` / ``intentions`` value
that is written, and accepts an empty top-level ``acl``, ``keyring``, ``operator``,
``mesh`` or ``peering`` (Consul validates those only when set: "this one is allowed to
be empty"). A resource rule is different: ``isPolicyValid`` runs on every rule's
``Policy``, so a ``service "web" {}`` block without ``policy`` (or with only
``intentions``) is refused, just as ``policy = ""`` is. That absence is this module's
check, reported at the rule's label. (``identity`` rules are left to the schema: Consul
versions without them ignore the block entirely.)
"""

from __future__ import annotations

import json
from typing import Any, Iterator

from linter.constraints import Context, Violation, checks

#: Resource rules (``agent "name" { policy = ... }``) and whether ``list`` is allowed.
RESOURCE_RULES = {
    "agent": False,
    "agent_prefix": False,
    "key": True,
    "key_prefix": True,
    "node": False,
    "node_prefix": False,
    "service": False,
    "service_prefix": False,
    "session": False,
    "session_prefix": False,
    "event": False,
    "event_prefix": False,
    "query": False,
    "query_prefix": False,
}


#: A rule body's other fields: a body with anything else is not written as a rule (an
#: unnamed ``service { check = {...} }`` service definition looks like one), so it is
#: not judged as one.
RULE_FIELDS_BESIDES_POLICY = {"intentions"}


def rules_of(value: Any, base: tuple) -> Iterator[tuple[tuple, str, Any]]:
    """(path of the label, label, body) for each rule of one resource: a map of labels,
    or a list of such maps (several HCL blocks)."""
    if isinstance(value, dict):
        for label, body in value.items():
            yield base + (label,), label, body
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, dict):
                for label, body in item.items():
                    yield base + (i, label), label, body


@checks("acl-rules")
def rule_without_policy(data: Any, context: Context) -> Iterator[Violation]:
    """``Invalid <resource> policy``: a resource rule with no ``policy`` at all."""
    if not isinstance(data, dict):
        return
    for resource, allows_list in RESOURCE_RULES.items():
        for path, label, body in rules_of(data.get(resource), (resource,)):
            if isinstance(body, dict) and set(body) <= RULE_FIELDS_BESIDES_POLICY:
                levels = '"read", "write", "deny"' + (' or "list"' if allows_list else "")
                yield Violation(
                    "missing",
                    path + ("policy",),
                    f"Invalid {resource} policy: {json.dumps(label)} sets no policy",
                    fix=f"set policy = one of {levels}",
                    anchor=path,
                )
