"""The agent config builder's ``feature_gates`` checks (Consul 2.1.0+,
``agent/config/builder.go`` as ``TestBuilder_FeatureGatesBootstrap`` exercises it at
hashicorp/consul@03658a093a6e), in Consul's words.

``feature_gates.bootstrap`` seeds the datacenter's feature gates once, on a server: a
client refuses it, and every name must be a feature the release registers
(``agent/featuregate``). The key itself is newer than the release peerlint's agent
schema follows, so a cluster pinned to an older Consul has it refused as an unknown key
(PL101) and these checks never see it. Whether the agent is a server is read from the
file's own ``server`` key only (a ``-server`` flag or another file may set it).
"""

from __future__ import annotations

import json
from typing import Any, Iterator

from linter.constraints import Context, Violation, checks
from linter.constraints.agent_common import block, path_of, server_mode

#: agent/featuregate: every feature name a Consul release registers (the union of the
#: registries of the stored sources, so that no release's own feature is refused).
KNOWN_FEATURES = frozenset(
    {
        "api-gateway-upstream-routing",
        "consul-ai",
        "localized-dns",
        "peering-multiport-upstreams",
    }
)


@checks("agent-config")
def feature_gates(data: Any, context: Context) -> Iterator[Violation]:
    """feature_gates.bootstrap: servers only, registered feature names only."""
    key, gates = block(data, "feature_gates")
    if gates is None:
        return
    bkey, bootstrap = block(gates, "bootstrap")
    if bootstrap is None:
        return
    where = path_of(key) + path_of(bkey)
    if server_mode(data) is False:
        yield Violation(
            "value",
            where,
            "feature_gates.bootstrap requires server = true",
            "seed feature gates from a server's configuration, or use `consul operator feature set`",
            anchor=path_of(key) + path_of(bkey)[:1],  # at the bootstrap key
        )
    for name in bootstrap:
        if isinstance(name, str) and name not in KNOWN_FEATURES:
            yield Violation(
                "value",
                where + (name,),
                f"feature_gates.bootstrap contains unknown feature {json.dumps(name)}",
                f"use one of {', '.join(sorted(KNOWN_FEATURES))} (`consul operator feature list`)",
                anchor=where + (name,),  # at the feature's name
            )
