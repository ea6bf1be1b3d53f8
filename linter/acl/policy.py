"""ACL policies: the rules language (acl/policy.go ``PolicyRules``) read from rules files
(HCL or JSON, the policy named after the file stem) and from API policy JSON (``Name`` and
``Rules``, the Rules string parsed again with positions mapped back into the JSON string).

A policy Consul would refuse (bad access level, unparsable Rules) or one whose meaning the
CE model cannot know (Enterprise ``partition``/``namespace`` blocks) is marked ``opaque``:
rules then stay silent about any token that uses it rather than guess.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from linter.model.document import ACL_POLICY, ACL_POLICY_API, Document, text
from linter.model.embedded import place_in_string
from linter.nodes import Mapping, Node, Scalar, as_list, fold_key

#: Merge precedence (acl/policy_merger.go ``takesPrecedenceOver``): deny > write > list > read.
PRECEDENCE = {"read": 0, "list": 1, "write": 2, "deny": 3}
LEVELS = tuple(PRECEDENCE)
#: Resources whose rules are one access level for the whole resource.
SCALAR_RESOURCES = ("acl", "keyring", "operator", "mesh", "peering")
#: Resources with named (exact) and ``_prefix`` rules.
SEGMENTED = ("agent", "key", "node", "service", "session", "event", "query", "identity")
ENTERPRISE_BLOCKS = {"partition", "partitionprefix", "namespace", "namespaceprefix"}


@dataclass(frozen=True)
class AclRule:
    """One rule: ``service_prefix "" { policy = "read" }`` is
    AclRule("service", "", True, "read"). ``name`` is None for scalar resources."""

    resource: str
    name: str | None
    prefix: bool
    access: str
    node: Node | None = field(default=None, compare=False, hash=False)

    def describe(self) -> str:
        if self.name is None:
            return f'{self.resource} = "{self.access}"'
        kind = f"{self.resource}_prefix" if self.prefix else self.resource
        return f'{kind} "{self.name}" {{ policy = "{self.access}" }}'


@dataclass
class Policy:
    """A named set of rules. ``doc`` is where it was written (None for synthesized
    identity policies)."""

    name: str
    rules: list[AclRule] = field(default_factory=list)
    doc: Document | None = None
    id: str | None = None
    opaque: bool = False
    why_opaque: str = ""


def parse_rules(root: Node, name: str = "", doc: Document | None = None) -> Policy:
    """A Policy from a parsed rules tree (HCL or JSON rules share one shape)."""
    policy = Policy(name, doc=doc)
    if not isinstance(root, Mapping):
        return _opaque(policy, "the rules are not an object")
    for key, value in root.items():
        folded = fold_key(str(key.value))
        if folded in ENTERPRISE_BLOCKS:
            return _opaque(policy, f"Enterprise `{key.value}` blocks")
        if folded in SCALAR_RESOURCES:
            if text(value) == "":
                continue  # acl/policy.go validates these only when set: "" grants nothing
            access = _level(value)
            if access is None or access == "list":
                return _opaque(policy, f"invalid {folded} policy")
            policy.rules.append(AclRule(folded, None, False, access, value))
            continue
        resource, prefix = (folded[:-6], True) if folded.endswith("prefix") else (folded, False)
        if resource not in SEGMENTED:
            continue  # CE's decodeRules ignores keys it does not know
        for block in as_list(value):
            if not isinstance(block, Mapping):
                return _opaque(policy, f"invalid {key.value} block")
            for label, body in block.items():
                access = _level(body.get("policy") if isinstance(body, Mapping) else None)
                if access is None or (access == "list" and resource != "key"):
                    return _opaque(policy, f"invalid {key.value} policy")
                policy.rules.append(AclRule(resource, str(label.value), prefix, access, body))
    return policy


def _level(node: Node | None) -> str | None:
    value = text(node)
    if value is None:
        return None
    value = value.lower()  # AccessLevelFromString lower-cases
    return value if value in PRECEDENCE else None


def _opaque(policy: Policy, why: str) -> Policy:
    policy.opaque = True
    policy.why_opaque = why
    policy.rules = []
    return policy


def policy_from_document(doc: Document, source: str = "") -> Policy | None:
    """The policy a document defines, or None when it defines none. ``source`` is the
    file's text, used to map positions inside an API policy's Rules string."""
    if doc.category == ACL_POLICY:
        stem = os.path.basename(doc.path).split(".")[0]
        return parse_rules(doc.root, stem, doc)
    if doc.category != ACL_POLICY_API:
        return None
    name = doc.root.value("Name")
    rules_node = doc.root.get("Rules")
    policy_id = doc.root.value("ID")
    if not isinstance(name, str) or not isinstance(rules_node, Scalar) or not isinstance(rules_node.value, str):
        return None
    tree = parse_rules_string(rules_node, source)
    policy = (
        parse_rules(tree, name, doc) if tree is not None else _opaque(Policy(name, doc=doc), "its Rules do not parse")
    )
    policy.id = policy_id if isinstance(policy_id, str) else None
    return policy


def parse_rules_string(node: Scalar, source: str) -> Node | None:
    """Parse a Rules string (HCL, or JSON when it opens with ``{``, as Consul's
    ``hcl.Decode`` does). Every node's span is mapped back into the file through the
    string's escapes; when the literal cannot be located, the string's own span."""
    from linter.parse import ParseError

    body = node.value
    try:
        if body.lstrip().startswith("{"):
            from linter.parse.jsonparse import parse_json

            tree = parse_json(body)
        else:
            from linter.parse import parse_hcl

            tree = parse_hcl(body)
    except (ParseError, RecursionError, ValueError):
        return None
    return place_in_string(tree, node, source)


def identity_policy(kind: str, name: str) -> Policy:
    """The rules Consul's identity templates expand to (acl/acl_templated_policy.go,
    structs.ACLServiceIdentity/ACLNodeIdentity ``SyntheticPolicy``)."""
    if kind == "service":
        rules = [
            AclRule("service", name, False, "write"),
            AclRule("service", f"{name}-sidecar-proxy", False, "write"),
            AclRule("service", "", True, "read"),
            AclRule("node", "", True, "read"),
        ]
    elif kind == "node":
        rules = [AclRule("node", name, False, "write"), AclRule("service", "", True, "read")]
    elif kind == "dns":
        rules = [
            AclRule("node", "", True, "read"),
            AclRule("service", "", True, "read"),
            AclRule("query", "", True, "read"),
        ]
    else:
        return Policy(f"{kind}-identity:{name}", opaque=True, why_opaque=f"templated policy {kind}")
    return Policy(f"{kind}-identity:{name}", rules)
