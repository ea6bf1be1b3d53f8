"""The ``Rules`` string of an ACL policy API payload (``PUT /v1/acl/policy``, ``consul acl
policy create`` from JSON): the server parses it with ``acl.NewPolicyFromSource`` and
refuses the policy on the same errors as a rules file (``PolicyRules.Validate``).

The schema of the payload (``schemas/acl-policy-api.json``) sees a string; this check
parses it as Consul does (JSON when it opens with ``{``, else HCL) and applies the rules
language's checks: every level value, the empty top-level levels Consul accepts, a
resource rule without ``policy`` (:mod:`.acl`). Findings point at the ``Rules`` value:
the payload's only node for them.
"""

from __future__ import annotations

import json
from typing import Any, Iterator

from linter.constraints import Context, Violation, checks
from linter.constraints.acl import RESOURCE_RULES, RULE_FIELDS_BESIDES_POLICY, rules_of
from linter.nodes import Mapping, Node, Scalar, Sequence

TOP_LEVEL = ("acl", "keyring", "operator", "mesh", "peering")
LEVELS = ("read", "write", "deny")


def _plain(node: Node) -> Any:
    """Plain data with keys lower-cased (hcl.Decode matches field names EqualFold);
    a key written twice (two HCL blocks) becomes a list of its values."""
    if isinstance(node, Mapping):
        out: dict[str, Any] = {}
        for key, value in node.entries:
            name, plain = str(key.value), _plain(value)
            if name in out:
                out[name] = (out[name] if isinstance(out[name], list) else [out[name]]) + [plain]
            else:
                out[name] = plain
        return out
    if isinstance(node, Sequence):
        return [_plain(item) for item in node.items]
    return node.value if isinstance(node, Scalar) else None


def _parse(rules: str) -> tuple[Any, str]:
    """(plain data, "") or (None, the parse error)."""
    from linter.parse import ParseError, parse_hcl
    from linter.parse.jsonparse import parse_json

    try:
        tree = parse_json(rules) if rules.lstrip().startswith("{") else parse_hcl(rules)
    except (ParseError, RecursionError, ValueError) as error:
        return None, str(error)
    return _plain(tree), ""


def _level_ok(value: Any, allow_list: bool = False) -> bool:
    if not isinstance(value, str):
        return False
    return value.lower() in LEVELS or (allow_list and value.lower() == "list")


def rule_problems(rules: dict) -> Iterator[str]:
    """Consul's messages for what ``PolicyRules.Validate`` refuses in parsed rules."""
    folded = {str(k).lower(): v for k, v in rules.items()}
    for name in TOP_LEVEL:
        value = folded.get(name)
        if value is not None and value != "" and not _level_ok(value):
            yield f"Invalid {name} policy: {json.dumps(value)}"
    for resource, allows_list in RESOURCE_RULES.items():
        for _path, label, body in rules_of(folded.get(resource), (resource,)):
            if not isinstance(body, dict):
                continue
            fields = {str(k).lower(): v for k, v in body.items()}
            if "policy" not in fields:
                if set(fields) <= RULE_FIELDS_BESIDES_POLICY:
                    yield f"Invalid {resource} policy: {json.dumps(label)} sets no policy"
                continue
            if not _level_ok(fields["policy"], allows_list):
                yield f"Invalid {resource} policy: {json.dumps(label)}: {json.dumps(fields['policy'])}"
            intentions = fields.get("intentions")
            if resource.startswith("service") and intentions not in (None, "") and not _level_ok(intentions):
                yield f"Invalid {resource} intentions policy: {json.dumps(label)}: {json.dumps(intentions)}"


@checks("acl-policy-api")
def policy_rules(data: Any, context: Context) -> Iterator[Violation]:
    """The payload's ``Rules`` as ``acl.NewPolicyFromSource`` reads them."""
    if not isinstance(data, dict) or not isinstance(data.get("Rules"), str) or not data["Rules"].strip():
        return
    rules, error = _parse(data["Rules"])
    if rules is None:
        yield Violation("value", ("Rules",), f"Failed to parse ACL rules: {error}", fix="correct the Rules syntax")
        return
    if not isinstance(rules, dict):
        return
    for message in rule_problems(rules):
        yield Violation("value", ("Rules",), message, fix='use "read", "write" or "deny" ("list" for key rules)')
