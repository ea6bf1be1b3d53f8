"""The agent config builder's auto_config checks (``agent/config/builder.go``
``validateAutoConfig`` and ``validateAutoConfigAuthorizer``), in Consul's order.

Consul stops at the first failing check and prints that one error. Some checks need
what one file may not say: whether the agent is a server (``-server`` or another file),
the server's TLS certificate and ``verify_outgoing`` (TLS usually lives in a file of
its own), the datacenter (``-datacenter``). Each check is therefore judged as failing,
passing, or unknown; an unknown one is read with Consul's defaults for what the file
leaves out (a client, no certificate, no ``verify_outgoing``, datacenter ``dc1``).

- When some check surely fails, the agent is refused whatever the other files say:
  the finding is Consul's first error as this file stands (defaults filled in), saying
  what it depends on when that check was unknown; every later check that surely fails
  is reported too (each a refusal once the earlier ones are fixed).
- When no check surely fails, nothing is reported: the refusal itself would depend on
  the other files (the family's deliberate silences).

The intro token is never taken as missing: ``CONSUL_INTRO_TOKEN`` may supply it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Iterator

from linter.constraints import Context, Violation, checks
from linter.constraints.agent_common import block, boolean, find, path_of, server_mode
from linter.constraints.entries_bexpr import filter_selectors

JWT_METHODS = (
    "auto_config.authorization.static has invalid configuration: exactly one of 'JWTValidationPubKeys', "
    "'JWKSURL', or 'OIDCDiscoveryURL' must be set for type \"jwt\""
)
REPLICATION = (
    "Enabling auto-config authorization (auto_config.authorization.enabled) in non primary datacenters "
    "with ACLs enabled (acl.enabled) requires also enabling ACL token replication "
    "(acl.enable_token_replication)"
)
#: Consul's default datacenter (agent/config/default.go).
DEFAULT_DATACENTER = "dc1"
#: validateAutoConfigAuthorizer: the HIL variables a claim assertion may use, filled
#: with "fake" before the bexpr check.
_HIL = re.compile(r"\$\{([^}]*)\}")
HIL_VARIABLES = frozenset({"node", "segment", "partition"})
#: The top-level selectors of the JWT identity (ssoauth fieldDetails: ``bexpr:"value"``
#: and ``bexpr:"list"``; the Go field names too, so as not to refuse what bexpr may take).
CLAIM_SELECTORS = frozenset({"value", "list", "Values", "Lists"})


@dataclass(frozen=True)
class _Step:
    """One check of Consul's sequence: ``fails`` True/False, or None when the file does
    not settle it (``depends`` says what on); an unknown step is taken as failing with
    Consul's defaults."""

    fails: bool | None
    kind: str
    path: tuple
    message: str
    fix: str
    depends: str = ""
    anchor: tuple | None = None


def _non_empty(value: Any) -> bool:
    if isinstance(value, str):
        return value != ""
    if isinstance(value, list):
        return len(value) > 0
    return value is not None


def _tls_setting(data: dict, name: str) -> Any:
    """A TLS setting of tls.internal_rpc, else tls.defaults, else the deprecated top level."""
    _, tls = block(data, "tls")
    for stanza in ("internal_rpc", "defaults"):
        _, body = block(tls, stanza) if tls is not None else (None, None)
        value = find(body, name)[1] if body is not None else None
        if value is not None:
            return value
    return find(data, name)[1]


def _authorizer_steps(data: dict, authz: dict, apath: tuple, enabled_path: tuple) -> list[_Step]:
    """validateAutoConfigAuthorizer: replication, server mode, certificate, static JWT config."""
    _, acl = block(data, "acl")
    dc, primary = data.get("datacenter"), data.get("primary_datacenter")
    replication = (
        boolean(find(acl, "enable_token_replication")[1])
        or _non_empty(data.get("acl_replication_token"))
        or boolean(data.get("enable_acl_replication"))
    )
    secondary: bool | None = False
    if boolean(find(acl, "enabled")[1]) and isinstance(primary, str) and primary and not replication:
        if isinstance(dc, str):
            secondary = primary.lower() != dc.lower()
        elif primary.lower() != DEFAULT_DATACENTER:
            secondary = None  # -datacenter or another file may name the primary
    server = server_mode(data)
    cert = _tls_setting(data, "cert_file")
    skey, static = block(authz, "static")
    methods = sum(
        1
        for name in ("jwt_validation_pub_keys", "jwks_url", "oidc_discovery_url")
        if _non_empty(find(static, name)[1] if static is not None else None)
    )
    steps = [
        _Step(
            secondary,
            "conflict",
            enabled_path,
            REPLICATION,
            "set acl { enable_token_replication = true } in this secondary datacenter",
            f"it does not set datacenter (Consul's default is {DEFAULT_DATACENTER!r})",
        ),
        _Step(
            None if server is None else not server,
            "conflict",
            enabled_path,
            "auto_config.authorization.enabled cannot be set to true for client agents",
            "enable the auto_config authorizer on servers only",
            "it does not set server = true",
        ),
        _Step(
            None if not _non_empty(cert) else False,
            "missing",
            enabled_path,
            "auto_config.authorization.enabled cannot be set without providing a TLS certificate for the server",
            'set tls { internal_rpc { cert_file = "..." key_file = "..." } } on the server',
            "it sets no TLS certificate (tls.internal_rpc.cert_file)",
        ),
        _Step(
            methods != 1,
            "value",
            apath + path_of(skey) if static is not None else enabled_path,
            JWT_METHODS,
            "set exactly one of static.jwt_validation_pub_keys, static.jwks_url, static.oidc_discovery_url",
        ),
    ]
    if static is not None:
        steps += _claim_assertions(static, apath + path_of(skey))
    return steps


def _claim_assertions(static: dict, spath: tuple) -> list[_Step]:
    """A claim assertion whose selector is not a field of the JWT identity (after the HIL
    variables are filled in); assertions this reader cannot judge are left alone."""
    ckey, assertions = find(static, "claim_assertions")
    for i, raw in enumerate(assertions if isinstance(assertions, list) else []):
        if not isinstance(raw, str) or any(v.strip() not in HIL_VARIABLES for v in _HIL.findall(raw)):
            continue
        selectors = filter_selectors(_HIL.sub("fake", raw))
        bad = next((s.split(".")[0] for s in selectors or [] if s.split(".")[0] not in CLAIM_SELECTORS), None)
        if bad is not None:
            return [
                _Step(
                    True,
                    "value",
                    spath + (ckey, i),
                    f"auto_config.authorization.static.claim_assertion {json.dumps(raw)} is invalid: "
                    f"Selector {json.dumps(bad)} is not valid",
                    "select the JWT's claims as value.<claim> (claim_mappings) or list.<claim> (list_claim_mappings)",
                )
            ]
    return []


def _enabled_steps(data: dict, auto: dict, base: tuple) -> list[_Step]:
    """validateAutoConfig once auto_config.enabled: TLS, client only, server addresses."""
    ekey, _ = find(auto, "enabled")
    outgoing = boolean(_tls_setting(data, "verify_outgoing")) or boolean(_tls_setting(data, "verify_server_hostname"))
    server = server_mode(data)
    skey, addresses = find(auto, "server_addresses")
    return [
        _Step(
            None if not outgoing else False,
            "missing",
            base + (ekey,),
            "auto_config.enabled cannot be set without configuring TLS for server communications",
            "set tls { internal_rpc { verify_outgoing = true } }",
            "it does not set tls.internal_rpc.verify_outgoing",
        ),
        _Step(
            bool(server),  # unset: a client by default, which is what auto_config needs
            "conflict",
            base + (ekey,),
            "auto_config.enabled cannot be set to true for server agents.",
            "auto_config configures client agents; servers use auto_config.authorization",
        ),
        _Step(
            not _non_empty(addresses),
            "missing",
            base + ((skey,) if skey is not None else ("server_addresses",)),
            "auto_config.enabled is set without providing a list of addresses",
            'list the servers in auto_config.server_addresses, e.g. ["consul.example.com"]',
            anchor=base if skey is None else None,
        ),
    ]


@checks("agent-config")
def auto_config(data: Any, context: Context) -> Iterator[Violation]:
    """validateAutoConfig (the authorizer first), reported as Consul's first error."""
    key, auto = block(data, "auto_config")
    if auto is None:
        return
    base = path_of(key)
    steps: list[_Step] = []
    akey, authz = block(auto, "authorization")
    if authz is not None and boolean(find(authz, "enabled")[1]):
        apath = base + path_of(akey)
        steps += _authorizer_steps(data, authz, apath, apath + (find(authz, "enabled")[0],))
    if boolean(find(auto, "enabled")[1]):
        steps += _enabled_steps(data, auto, base)
    sure = [step for step in steps if step.fails]
    if not sure:
        return  # only unknowns: the refusal itself depends on other files
    first = next(step for step in steps if step.fails is not False)
    message = first.message
    if first.fails is None:
        message += f" (as this file stands: {first.depends}; the agent is refused either way: {sure[0].message})"
    yield Violation(first.kind, first.path, message, first.fix, anchor=first.anchor)
    for step in sure:
        if step is not first:
            yield Violation(step.kind, step.path, step.message, step.fix, anchor=step.anchor)
