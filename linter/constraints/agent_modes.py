"""The agent config builder's server/client rules (``agent/config/builder.go``
``validate`` and ``validateAutoConfig``): bootstrap settings, auto_encrypt,
auto_config and its authorizer, advertise_reconnect_timeout.

Whether the agent is a server is read from the file's own ``server`` key only
(:func:`linter.constraints.agent_common.server_mode`): a ``-server`` flag or another
file of the config directory may decide it, and a guess would be a false error. The
same holds for the TLS and token settings auto_config needs, which usually live in a
file of their own: the checks that need them stay silent (tests/conformance/agent-config/README.md).
"""

from __future__ import annotations

from typing import Any, Iterator

from linter.constraints import Context, Violation, checks
from linter.constraints.agent_common import block, boolean, duration, find, integer, path_of, server_mode

JWT_METHODS = (
    "auto_config.authorization.static has invalid configuration: exactly one of 'JWTValidationPubKeys', "
    "'JWKSURL', or 'OIDCDiscoveryURL' must be set for type \"jwt\""
)


@checks("agent-config")
def bootstrap(data: Any, context: Context) -> Iterator[Violation]:
    """bootstrap / bootstrap_expect: servers only, not together, not negative."""
    server = server_mode(data)
    flag = boolean(data.get("bootstrap"))
    expect = integer(data.get("bootstrap_expect"))
    if expect is not None and expect < 0:
        yield Violation(
            "value",
            ("bootstrap_expect",),
            f"bootstrap_expect cannot be {expect}. Must be greater than or equal to zero",
            "set bootstrap_expect to the number of servers (e.g. 3)",
        )
    # build(): bootstrap_expect = 1 is bootstrap mode
    effective_flag, effective_expect = flag, expect
    if expect == 1:
        effective_flag, effective_expect = True, 0
    if effective_flag and server is False:
        yield Violation(
            "conflict",
            ("bootstrap",) if flag else ("bootstrap_expect",),
            "'bootstrap = true' requires 'server = true'",
            "bootstrap servers only: set server = true or remove bootstrap",
        )
    if effective_expect is not None and effective_expect > 0:
        if server is False:
            yield Violation(
                "conflict",
                ("bootstrap_expect",),
                "'bootstrap_expect > 0' requires 'server = true'",
                "set bootstrap_expect on servers only",
            )
        if flag:
            yield Violation(
                "conflict",
                ("bootstrap_expect",),
                "'bootstrap_expect > 0' and 'bootstrap = true' are mutually exclusive",
                "remove bootstrap = true (bootstrap_expect bootstraps the cluster once enough servers join)",
            )


@checks("agent-config")
def auto_encrypt(data: Any, context: Context) -> Iterator[Violation]:
    """auto_encrypt.tls on clients, auto_encrypt.allow_tls on servers; not with auto_config."""
    server = server_mode(data)
    key, encrypt = block(data, "auto_encrypt")
    if encrypt is None:
        return
    base = path_of(key)
    tls_key, tls = find(encrypt, "tls")
    allow_key, allow = find(encrypt, "allow_tls")
    if boolean(tls) and server is True:
        yield Violation(
            "conflict",
            base + (tls_key,),
            "auto_encrypt.tls can only be used on a client.",
            "servers use auto_encrypt.allow_tls",
        )
    if boolean(allow) and server is False:
        yield Violation(
            "conflict",
            base + (allow_key,),
            "auto_encrypt.allow_tls can only be used on a server.",
            "clients use auto_encrypt.tls",
        )
    _, auto = block(data, "auto_config")
    if boolean(tls) and boolean(find(auto, "enabled")[1]):
        yield Violation(
            "conflict",
            base + (tls_key,),
            "both auto_encrypt.tls and auto_config.enabled cannot be set to true.",
            "use one: auto_config also issues the agent's certificate",
        )


@checks("agent-config")
def reconnect_timeout(data: Any, context: Context) -> Iterator[Violation]:
    value = data.get("advertise_reconnect_timeout")
    seconds = duration(value)
    if seconds and server_mode(data) is True:
        yield Violation(
            "conflict",
            ("advertise_reconnect_timeout",),
            "advertise_reconnect_timeout can only be used on a client",
            "remove advertise_reconnect_timeout from the server's configuration",
        )


def _non_empty(value: Any) -> bool:
    if isinstance(value, str):
        return value != ""
    if isinstance(value, list):
        return len(value) > 0
    return value is not None


@checks("agent-config")
def auto_config(data: Any, context: Context) -> Iterator[Violation]:
    """validateAutoConfig and validateAutoConfigAuthorizer, for what one file can say."""
    key, auto = block(data, "auto_config")
    if auto is None:
        return
    base = path_of(key)
    server = server_mode(data)
    akey, authz = block(auto, "authorization")
    if authz is not None and boolean(find(authz, "enabled")[1]):
        apath = base + path_of(akey)
        enabled_path = apath + (find(authz, "enabled")[0],)
        yield from _authorizer(data, authz, apath, enabled_path, server)
    ekey, enabled = find(auto, "enabled")
    if not boolean(enabled):
        return
    if server is True:
        yield Violation(
            "conflict",
            base + (ekey,),
            "auto_config.enabled cannot be set to true for server agents.",
            "auto_config configures client agents; servers use auto_config.authorization",
        )
    skey, addresses = find(auto, "server_addresses")
    if not _non_empty(addresses):
        yield Violation(
            "missing",
            base + ((skey,) if skey is not None else ("server_addresses",)),
            "auto_config.enabled is set without providing a list of addresses",
            'list the servers in auto_config.server_addresses, e.g. ["consul.example.com"]',
            anchor=base if skey is None else None,
        )


def _authorizer(data: dict, authz: dict, apath: tuple, enabled_path: tuple, server: bool | None) -> Iterator[Violation]:
    _, acl = block(data, "acl")
    dc, primary = data.get("datacenter"), data.get("primary_datacenter")
    replication = boolean(find(acl, "enable_token_replication")[1]) or _non_empty(data.get("acl_replication_token"))
    if (
        boolean(find(acl, "enabled")[1])
        and isinstance(dc, str)
        and isinstance(primary, str)
        and primary
        and primary.lower() != dc.lower()
        and not replication
        and not boolean(data.get("enable_acl_replication"))
    ):
        yield Violation(
            "conflict",
            enabled_path,
            "Enabling auto-config authorization (auto_config.authorization.enabled) in non primary datacenters "
            "with ACLs enabled (acl.enabled) requires also enabling ACL token replication "
            "(acl.enable_token_replication)",
            "set acl { enable_token_replication = true } in this secondary datacenter",
        )
    if server is False:
        yield Violation(
            "conflict",
            enabled_path,
            "auto_config.authorization.enabled cannot be set to true for client agents",
            "enable the auto_config authorizer on servers only",
        )
    skey, static = block(authz, "static")
    methods = sum(
        1
        for name in ("jwt_validation_pub_keys", "jwks_url", "oidc_discovery_url")
        if _non_empty(find(static, name)[1] if static is not None else None)
    )
    if methods != 1:
        yield Violation(
            "value",
            apath + path_of(skey) if static is not None else enabled_path,
            JWT_METHODS,
            "set exactly one of static.jwt_validation_pub_keys, static.jwks_url, static.oidc_discovery_url",
        )
