"""PL802: an ACL token SecretID committed in a service definition, agent config or token file."""

from __future__ import annotations

from typing import Iterator

from linter.api import ACL_TOKEN, AGENT_CONFIG, SERVICE_DEFINITION, Finding, Mapping, Rule, fold_key, text
from linter.api.acl import is_secret_id, mask

#: Pre-1.4 agent keys that hold tokens (still decoded, deprecated).
LEGACY_AGENT_KEYS = {"acltoken", "aclagenttoken", "aclagentmastertoken", "aclmastertoken", "aclreplicationtoken"}
FIX_RUNTIME = (
    "remove it from the file and rotate the token; supply it at run time instead "
    "(`consul acl set-agent-token`, CONSUL_HTTP_TOKEN, `-token-file` pointing outside the repository, "
    "or a Kubernetes Secret / Vault)"
)


class CommittedAclToken(Rule):
    code = "PL802"
    slug = "committed-acl-token"
    summary = "An ACL token SecretID is committed in a service definition, agent config or token file"
    severity = "warning"
    security_severity = 9.0
    reads = (SERVICE_DEFINITION, AGENT_CONFIG, ACL_TOKEN)
    scope = "file"  # tests/test_rule_scopes.py
    doc = """
## What it does
Flags ACL token SecretIDs (UUIDs) written into a service definition's `token`, an agent
configuration's `acl.tokens` (and the deprecated `acl_*_token` keys), or an ACL token
file's `SecretID`. Output shows only the first 4 characters.

## Why is this bad?
The SecretID is the credential: whoever reads the repository (and every clone, fork and
CI log of it) can act with the token's privileges, which for agent and management
tokens means the whole cluster. It also stays in git history after it is deleted.
Supply the token at run time instead:
`consul services register -token-file=/run/secrets/web-token web.hcl`.

**Assumes** nothing about the cluster: a committed SecretID is a secret whatever the
edition or ACL posture.

## References
- [Consul docs: ACL tokens](https://developer.hashicorp.com/consul/docs/secure/acl/token)
- [Consul `agent/config/config.go`: `acl.tokens`](https://github.com/hashicorp/consul/blob/main/agent/config/config.go)
- [Consul `api/acl.go`: `ACLToken.SecretID`](https://github.com/hashicorp/consul/blob/main/api/acl.go)
"""
    example = {
        "bad": {
            "web.hcl": """\
service {
  name  = "web"
  port  = 8080
  token = "3f9a1b2c-4d5e-6f70-8192-a3b4c5d6e7f8"
}
""",
        },
        "good": {
            "web.hcl": """\
service {
  name = "web"
  port = 8080
}
""",
        },
    }

    def check(self, project) -> Iterator[Finding]:
        for doc in project.of(SERVICE_DEFINITION, AGENT_CONFIG, ACL_TOKEN):
            if doc.category == SERVICE_DEFINITION:
                yield from self._secret(
                    doc, doc.root.get("token"), f"service {text(doc.root.get('name')) or '?'}'s `token`"
                )
            elif doc.category == AGENT_CONFIG:
                acl = doc.root.get("acl")
                tokens = acl.get("tokens") if isinstance(acl, Mapping) else None
                if isinstance(tokens, Mapping):
                    for key, node in tokens.items():
                        yield from self._secret(doc, node, f"the agent configuration's acl.tokens.{key.value}")
                for key, node in doc.root.items():
                    if fold_key(str(key.value)) in LEGACY_AGENT_KEYS:
                        yield from self._secret(doc, node, f"the agent configuration's {key.value}")
            else:
                yield from self._secret(
                    doc,
                    doc.root.get("SecretID"),
                    "a token file",
                    fix="commit the token's AccessorID, Description and policies without SecretID (Consul generates one) and rotate this token",
                )

    def _secret(self, doc, node, where: str, fix: str = FIX_RUNTIME) -> Iterator[Finding]:
        """A finding when ``node`` holds a SecretID, committed in ``where``."""
        value = text(node)
        if is_secret_id(value):
            yield self.report(
                doc.at(node),
                f"ACL token SecretID {mask(value or '')} is committed in {where}; anyone who reads the repository can use it",
                fix=fix,
            )
