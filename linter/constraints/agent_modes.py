"""The agent config builder's server/client rules (``agent/config/builder.go``
``validate``): bootstrap settings, auto_encrypt, advertise_reconnect_timeout
(auto_config and its authorizer: :mod:`linter.constraints.agent_autoconfig`).

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
