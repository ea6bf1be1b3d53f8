"""The agent config builder's TLS checks (``agent/config/builder.go``
``buildTLSConfig``, ``tlsVersion``, ``tlsCipherSuites`` and the gRPC TLS port check
of ``build``), in Consul's words.

The ``tls`` block has four stanzas: ``defaults``, ``internal_rpc``, ``https`` and
``grpc``; each inherits what it does not set from ``defaults``, whose minimum version
is ``TLSv1_2`` unless written. The deprecated top-level keys (``tls_min_version``,
``tls_cipher_suites``, ``cert_file``...) fill ``tls.defaults`` where the same file does
not (``agent/config/deprecated.go``), old version spellings (``tls12``) included.
"""

from __future__ import annotations

from typing import Any, Iterator

from linter.constraints import Context, Violation, checks
from linter.constraints.agent_common import block, boolean, find, integer, path_of

STANZAS = ("defaults", "internal_rpc", "https", "grpc")
VERSIONS = ("TLS_AUTO", "TLSv1_0", "TLSv1_1", "TLSv1_2", "TLSv1_3")
DEPRECATED_VERSIONS = {"": "TLS_AUTO", "tls10": "TLSv1_0", "tls11": "TLSv1_1", "tls12": "TLSv1_2", "tls13": "TLSv1_3"}
INVALID = "TLS_INVALID"
#: types/tls.go consulAgentTLSCipherSuites.
AGENT_CIPHER_SUITES = frozenset(
    {
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    }
)
#: types/tls.go consulAgentTLSECDHCurves (hashicorp/consul@03658a093a6e; Go's sort order).
AGENT_ECDH_CURVES = ("P-256", "P-384", "P-521", "X25519", "X25519MLKEM768")
#: types/tls.go TLSVersionsWithConfigurableECDHCurves (unset counts as TLS_AUTO).
ECDH_VERSIONS = frozenset({"TLS_AUTO", "TLSv1_2", "TLSv1_3"})
GRPC_PORT_TLS = (
    "the `ports.grpc` listener no longer supports TLS. Use `ports.grpc_tls` instead. This message is "
    "appearing because GRPC is configured to use TLS, but `ports.grpc_tls` is not defined"
)


def _stanzas(data: dict) -> tuple[tuple, dict[str, tuple[tuple, dict]]]:
    """(path of ``tls``, {stanza: (path, mapping)}) for the stanzas the file writes."""
    key, tls = block(data, "tls")
    if tls is None:
        return (), {}
    base = path_of(key)
    out = {}
    for name in STANZAS:
        skey, stanza = block(tls, name)
        if stanza is not None:
            out[name] = (base + path_of(skey), stanza)
    return base, out


def _setting(stanzas: dict, stanza: str, name: str) -> tuple[tuple | None, Any]:
    """(path, value) of one stanza setting; (None, None) when not written (null is unset)."""
    if stanza not in stanzas:
        return None, None
    path, body = stanzas[stanza]
    key, value = find(body, name)
    return (path + (key,), value) if key is not None and value is not None else (None, None)


@checks("agent-config")
def stanza_settings(data: Any, context: Context) -> Iterator[Violation]:
    """Settings that only one stanza honours."""
    _, stanzas = _stanzas(data)
    path, _ = _setting(stanzas, "grpc", "verify_outgoing")
    if path:
        yield Violation(
            "value",
            path,
            "verify_outgoing is not valid in the tls.grpc stanza",
            "remove verify_outgoing from tls.grpc (the agent makes no outgoing gRPC connections)",
        )
    # Consul's builder refused tls.defaults.verify_server_hostname too (runtime_test at
    # the ref the suite cites); Consul's own 1.21/1.22 documentation sets it there
    # (hashicorp/consul#17095), so that stanza is not judged: a version-dependent refusal.
    for stanza in ("grpc", "https"):
        path, _ = _setting(stanzas, stanza, "verify_server_hostname")
        if path:
            yield Violation(
                "value",
                path,
                "verify_server_hostname is only valid in the tls.internal_rpc stanza",
                "move verify_server_hostname to tls.internal_rpc",
            )
    for stanza in ("defaults", "https", "internal_rpc"):
        path, _ = _setting(stanzas, stanza, "use_auto_cert")
        if path:
            yield Violation(
                "value", path, "use_auto_cert is only valid in the tls.grpc stanza", "move use_auto_cert to tls.grpc"
            )


def _version(value: Any) -> str:
    if not isinstance(value, str) or value == "":
        return "TLS_AUTO"
    return value if value in VERSIONS else INVALID


def _version_error(name: str, value: Any) -> str:
    return (
        f"{name}: invalid TLS version: no matching TLS version found for {value}, "
        f"please specify one of [{', '.join(VERSIONS)}]"
    )


def _cipher_error(name: str, value: Any, version: str) -> str | None:
    """tlsCipherSuites: the error for one stanza's suites at its minimum version."""
    if version == "TLSv1_3":
        return f"{name}: TLS 1.3 cipher suites are not configurable"
    if not isinstance(value, str) or not value.strip():
        return None
    unmatched = [c for c in value.strip().split(",") if c not in AGENT_CIPHER_SUITES]
    if unmatched:
        return f"{name}: invalid TLS cipher suites: no matching Consul Agent TLS cipher suite found for " + ",".join(
            unmatched
        )
    return None


@checks("agent-config")
def versions_and_ciphers(data: Any, context: Context) -> Iterator[Violation]:
    """tls_min_version is a known version; tls_cipher_suites are suites the agent
    supports, and none with TLS 1.3 as the minimum version."""
    _, stanzas = _stanzas(data)
    # tls.defaults, filled from the deprecated top-level keys where it is silent
    vpath, version = _setting(stanzas, "defaults", "tls_min_version")
    if vpath is None and data.get("tls_min_version") is not None:
        vpath, version = ("tls_min_version",), data["tls_min_version"]
        if isinstance(version, str) and version in DEPRECATED_VERSIONS:
            version = DEPRECATED_VERSIONS[version]
    default_version = "TLSv1_2" if vpath is None else _version(version)
    if vpath is not None and default_version == INVALID:
        yield Violation(
            "value",
            vpath,
            _version_error("tls.defaults.tls_min_version", version),
            f"use one of {', '.join(VERSIONS)}",
        )
    cpath, ciphers = _setting(stanzas, "defaults", "tls_cipher_suites")
    if cpath is None and data.get("tls_cipher_suites") is not None:
        cpath, ciphers = ("tls_cipher_suites",), data["tls_cipher_suites"]
    if cpath is not None:
        problem = _cipher_error("tls.defaults.tls_cipher_suites", ciphers, default_version)
        if problem:
            yield Violation("value", cpath, problem, _cipher_fix(default_version))
    for stanza in ("internal_rpc", "https", "grpc"):
        spath, own = _setting(stanzas, stanza, "tls_min_version")
        effective = default_version
        if spath is not None:
            effective = _version(own)
            if effective == INVALID:
                yield Violation(
                    "value",
                    spath,
                    _version_error(f"tls.{stanza}.tls_min_version", own),
                    f"use one of {', '.join(VERSIONS)}",
                )
        cpath, ciphers = _setting(stanzas, stanza, "tls_cipher_suites")
        if cpath is not None:
            problem = _cipher_error(f"tls.{stanza}.tls_cipher_suites", ciphers, effective)
            if problem:
                yield Violation("value", cpath, problem, _cipher_fix(effective))


def _curve_errors(name: str, value: Any, version: str) -> Iterator[tuple[str, str]]:
    """tlsECDHCurves: (error, fix) for one stanza's curves at its minimum version
    (ValidateConsulAgentECDHCurves, ValidateTLSVersionECDHCurvesCompat)."""
    if not isinstance(value, str) or not value.strip():
        return
    unmatched = [c.strip() for c in value.split(",") if c.strip() and c.strip() not in AGENT_ECDH_CURVES]
    if unmatched:
        yield (
            f"{name}: no matching Consul Agent TLS curve found for {', '.join(unmatched)}; "
            f"must be one of [{', '.join(AGENT_ECDH_CURVES)}]",
            f"list only {', '.join(AGENT_ECDH_CURVES)}, comma-separated",
        )
    if version not in ECDH_VERSIONS and version != INVALID:
        yield (
            f"{name}: ecdh_curves can only be configured when tls_min_version is 'TLSv1_2' or higher, "
            f"TLSMinVersion is set to {version}",
            "raise tls_min_version to TLSv1_2, or remove tls_ecdh_curves",
        )


@checks("agent-config")
def ecdh_curves(data: Any, context: Context) -> Iterator[Violation]:
    """tls_ecdh_curves (newer than the release the agent schema follows; an older agent
    refuses the key itself): curves the agent supports, with a minimum version of
    TLS 1.2 or more. A stanza that does not write curves inherits those of
    ``tls.defaults`` only where its own minimum version allows them (Consul omits them
    otherwise: TestBuilder_buildTLSConfig_ECDHCurves), so only written curves are judged."""
    _, stanzas = _stanzas(data)
    vpath, version = _setting(stanzas, "defaults", "tls_min_version")
    if vpath is None and data.get("tls_min_version") is not None:
        vpath, version = ("tls_min_version",), data["tls_min_version"]
        if isinstance(version, str) and version in DEPRECATED_VERSIONS:
            version = DEPRECATED_VERSIONS[version]
    default_version = "TLSv1_2" if vpath is None else _version(version)
    for stanza in STANZAS:
        cpath, curves = _setting(stanzas, stanza, "tls_ecdh_curves")
        if cpath is None:
            continue
        effective = default_version
        spath, own = _setting(stanzas, stanza, "tls_min_version")
        if stanza != "defaults" and spath is not None:
            effective = _version(own)
        for message, fix in _curve_errors(f"tls.{stanza}.tls_ecdh_curves", curves, effective):
            yield Violation("value", cpath, message, fix)


def _cipher_fix(version: str) -> str:
    if version == "TLSv1_3":
        return "remove tls_cipher_suites (TLS 1.3 suites are fixed), or lower tls_min_version to TLSv1_2"
    return (
        "list only the ECDHE suites the agent supports (TLS_ECDHE_{ECDSA,RSA}_WITH_...), comma-separated without spaces"
    )


def _auto_tls(data: dict) -> bool:
    """auto_encrypt.tls or auto_config.enabled: the agent's certificates come from the servers."""
    _, encrypt = block(data, "auto_encrypt")
    _, auto = block(data, "auto_config")
    return bool(boolean(find(encrypt, "tls")[1]) or boolean(find(auto, "enabled")[1]))


@checks("agent-config")
def grpc_tls_port(data: Any, context: Context) -> Iterator[Violation]:
    """TLS configured for gRPC on ``ports.grpc`` without ``ports.grpc_tls`` (Consul 1.14+)."""
    ports = data.get("ports")
    if not isinstance(ports, dict) or "grpc_tls" in ports:
        return
    grpc = integer(ports.get("grpc"))
    if grpc is None or grpc <= 0:
        return
    _, stanzas = _stanzas(data)
    cert = _setting(stanzas, "grpc", "cert_file")[1]
    if cert is None:
        cert = _setting(stanzas, "defaults", "cert_file")[1]
    if cert is None:
        cert = data.get("cert_file")
    auto = _auto_tls(data) and boolean(_setting(stanzas, "grpc", "use_auto_cert")[1])
    if (isinstance(cert, str) and cert) or auto:
        yield Violation(
            "value",
            ("ports", "grpc"),
            GRPC_PORT_TLS,
            "serve TLS gRPC on ports.grpc_tls (e.g. 8503) and keep ports.grpc for plaintext",
        )
