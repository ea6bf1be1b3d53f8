"""An authorizer that answers as Consul's does (acl/policy_authorizer.go and
acl/chained_authorizer.go), so rules can say exactly which permission a token lacks.

* The token's policies (identities included) merge into one rule set; for the same
  resource, name and kind (exact or prefix) the stronger level wins: deny > write >
  list > read (``takesPrecedenceOver``).
* For a name, an exact rule beats the longest matching prefix rule, whatever the levels.
* A rule's level then ``enforce``s: write grants everything, list grants list and read,
  read grants read only, deny denies. A rule that does not grant the level asked for is a
  Deny, not a fall-through.
* ``mesh`` and ``peering`` fall back to ``operator`` when unset.
* No rule at all gives Default, which the ACL default policy (allow or deny) decides.
"""

from __future__ import annotations

from typing import Iterable

from linter.acl.policy import PRECEDENCE, SCALAR_RESOURCES, AclRule, Policy

ALLOW, DENY, DEFAULT = "allow", "deny", "default"


def enforce(rule: str | None, wanted: str) -> str:
    """Consul's ``enforce(rule, requiredPermission)``."""
    if rule is None:
        return DEFAULT
    if rule == "write":
        return ALLOW
    if rule == "list":
        return ALLOW if wanted in ("list", "read") else DENY
    if rule == "read":
        return ALLOW if wanted == "read" else DENY
    return DENY


class Authorizer:
    """The merged rules of one token, over an ACL default policy."""

    def __init__(self, policies: Iterable[Policy], default_policy: str = "deny") -> None:
        self.default_allow = default_policy == "allow"
        self.scalar: dict[str, AclRule] = {}
        #: resource -> name -> rule, for exact and for prefix rules separately
        self.exact: dict[str, dict[str, AclRule]] = {}
        self.prefix: dict[str, dict[str, AclRule]] = {}
        for policy in policies:
            for rule in policy.rules:
                self._merge(rule)

    def _merge(self, rule: AclRule) -> None:
        if rule.name is None:
            table = self.scalar
            key = rule.resource
        else:
            table = (self.prefix if rule.prefix else self.exact).setdefault(rule.resource, {})  # type: ignore[assignment]
            key = rule.name
        existing = table.get(key)
        if existing is None or PRECEDENCE[rule.access] > PRECEDENCE[existing.access]:
            table[key] = rule

    def _final(self, decision: str) -> bool:
        return decision == ALLOW or (decision == DEFAULT and self.default_allow)

    def rule_for(self, resource: str, name: str | None = None) -> AclRule | None:
        """The rule that governs ``resource`` (and ``name``): exact, else longest prefix;
        for mesh/peering, the operator rule when they have none."""
        if resource in SCALAR_RESOURCES:
            rule = self.scalar.get(resource)
            if rule is None and resource in ("mesh", "peering"):
                rule = self.scalar.get("operator")
            return rule
        name = name or ""
        exact = self.exact.get(resource, {}).get(name)
        if exact is not None:
            return exact
        best: AclRule | None = None
        for prefix, rule in self.prefix.get(resource, {}).items():
            if name.startswith(prefix) and (best is None or len(prefix) > len(best.name or "")):
                best = rule
        return best

    def decision(self, resource: str, name: str | None, wanted: str) -> str:
        rule = self.rule_for(resource, name)
        return enforce(rule.access if rule else None, wanted)

    def allows(self, resource: str, name: str | None, wanted: str) -> bool:
        return self._final(self.decision(resource, name, wanted))

    def write_any(self, resource: str) -> bool:
        """``ServiceWriteAny``: any rule of the resource, exact or prefix, that grants
        write (so ``service "x" { policy = "write" }`` on one service is enough)."""
        rules = list(self.exact.get(resource, {}).values()) + list(self.prefix.get(resource, {}).values())
        if any(enforce(r.access, "write") == ALLOW for r in rules):
            return True
        return self.default_allow

    def read_all(self, resource: str) -> bool:
        """``ServiceReadAll``/``NodeReadAll``: a ``<resource>_prefix ""`` rule granting
        read and no rule anywhere (exact or narrower prefix) that denies it."""
        return self._final(self.read_all_decision(resource))

    def read_all_decision(self, resource: str) -> str:
        everything = self.prefix.get(resource, {}).get("")
        decision = enforce(everything.access if everything else None, "read")
        if decision == DENY:
            return DENY
        for rule in list(self.exact.get(resource, {}).values()) + list(self.prefix.get(resource, {}).values()):
            if enforce(rule.access, "read") != ALLOW:
                return DENY
        return decision

    def narrower_denies(self, resource: str) -> list[AclRule]:
        """The rules that keep ``read_all`` from holding even with a ``""`` read."""
        rules = list(self.exact.get(resource, {}).values()) + [r for n, r in self.prefix.get(resource, {}).items() if n]
        return [r for r in rules if enforce(r.access, "read") != ALLOW]
