"""mesh: ``MeshConfigEntry.Validate`` (agent/structs/config_entry_mesh.go) for the
directional TLS settings (``validateMeshDirectionalTLSConfig`` / ``validateTLSConfig``),
in Consul's words: a max version below the min version, cipher suites only where TLS
1.2 or earlier can be negotiated and only ones Envoy knows, and ECDH / post-quantum
key-exchange curves Envoy supports, only with ``TLSMinVersion = "TLSv1_3"``. The TLS
versions themselves and the request-normalization actions are the schema's ``enum``.
"""

from __future__ import annotations

from typing import Any, Iterator

from linter.constraints import Context, Violation, checks
from linter.constraints.entries_common import mapping, quote, text

#: types.envoyECDHCurves, sorted as Consul prints them.
ECDH_CURVES = ("P-256", "P-384", "P-521", "X25519", "X25519MLKEM768")
#: types.envoyTLSCipherSuiteStrings' keys: the cipher suites Envoy can be given.
ENVOY_CIPHER_SUITES = frozenset(
    {
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
        "TLS_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_RSA_WITH_AES_128_CBC_SHA",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
        "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
        "TLS_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_RSA_WITH_AES_256_CBC_SHA",
    }
)
#: Concrete versions in order (TLS_AUTO and "" compare with nothing).
VERSION_ORDER = {"TLSv1_0": 1, "TLSv1_1": 2, "TLSv1_2": 3, "TLSv1_3": 4}
#: types.TLSVersionsWithConfigurableCipherSuites.
CIPHER_SUITE_VERSIONS = ("", "TLS_AUTO", "TLSv1_0", "TLSv1_1", "TLSv1_2")


@checks("entry-mesh")
def mesh_tls(data: Any, context: Context) -> Iterator[Violation]:
    tls = mapping(data, "TLS")
    if tls is None:
        return
    for direction in ("Incoming", "Outgoing"):
        config = mapping(tls, direction)
        if config is not None:
            yield from _directional(direction, config)


def _directional(direction: str, config: dict) -> Iterator[Violation]:
    yield from _versions_and_suites(direction, config)
    curves = config.get("ECDHCurves")
    if not isinstance(curves, list) or not curves:
        return
    path = ("TLS", direction, "ECDHCurves")
    prefix = f"error in {direction.lower()} TLS configuration: "
    if text(config, "TLSMinVersion") != "TLSv1_3":
        yield Violation(
            "conflict",
            path,
            prefix + "ecdh_curves can only be configured when tls_min_version is 'TLSv1_3'",
            fix='set TLSMinVersion = "TLSv1_3", or remove ECDHCurves',
        )
        return
    for index, curve in enumerate(curves):
        if isinstance(curve, str) and curve not in ECDH_CURVES:
            yield Violation(
                "value",
                path + (index,),
                f"{prefix}unsupported ecdh_curve {quote(curve)}; must be one of [{', '.join(ECDH_CURVES)}]",
                fix="use one of " + ", ".join(ECDH_CURVES),
            )
            return


def _versions_and_suites(direction: str, config: dict) -> Iterator[Violation]:
    """validateTLSConfig: the version range, then the cipher suites."""
    prefix = f"error in {direction.lower()} TLS configuration: "
    path = ("TLS", direction)
    low, high = text(config, "TLSMinVersion"), text(config, "TLSMaxVersion")
    if low in VERSION_ORDER and high in VERSION_ORDER and VERSION_ORDER[high] < VERSION_ORDER[low]:
        yield Violation(
            "conflict",
            path + ("TLSMaxVersion",),
            f"{prefix}configuring max version {high} less than the configured min version {low} is invalid",
            fix="raise TLSMaxVersion to at least TLSMinVersion",
        )
        return
    suites = config.get("CipherSuites")
    if not isinstance(suites, list) or not suites:
        return
    if low not in CIPHER_SUITE_VERSIONS:
        if low in VERSION_ORDER:
            yield Violation(
                "conflict",
                path + ("CipherSuites",),
                f"{prefix}configuring CipherSuites is only applicable to connections negotiated with TLS 1.2 "
                f"or earlier, TLSMinVersion is set to {low}",
                fix="remove CipherSuites: TLS 1.3 cipher suites are not configurable",
            )
        return
    unknown = [s for s in suites if isinstance(s, str) and s not in ENVOY_CIPHER_SUITES]
    if unknown:
        index = suites.index(unknown[0])
        yield Violation(
            "value",
            path + ("CipherSuites", index),
            f"{prefix}no matching Envoy TLS cipher suite found for {','.join(unknown)}",
            fix="use IANA names of the cipher suites Envoy supports, such as TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        )
