"""mesh: ``MeshConfigEntry.Validate`` (agent/structs/config_entry_mesh.go) for the
directional TLS settings, in Consul's words: ECDH / post-quantum key-exchange curves
must be ones Envoy supports, and may be configured only with ``TLSMinVersion =
"TLSv1_3"`` (``validateMeshDirectionalTLSConfig``). The TLS versions themselves and
the request-normalization actions are the schema's ``enum``.
"""

from __future__ import annotations

from typing import Any, Iterator

from linter.constraints import Context, Violation, checks
from linter.constraints.entries_common import mapping, quote, text

#: types.envoyECDHCurves, sorted as Consul prints them.
ECDH_CURVES = ("P-256", "P-384", "P-521", "X25519", "X25519MLKEM768")


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
