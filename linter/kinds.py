"""The document kinds Consul and consul-k8s know, and did-you-mean over them."""

from __future__ import annotations

import difflib
from typing import Iterable

CONFIG_ENTRY_KINDS = (
    "service-defaults",
    "proxy-defaults",
    "service-router",
    "service-splitter",
    "service-resolver",
    "ingress-gateway",
    "terminating-gateway",
    "service-intentions",
    "mesh",
    "exported-services",
    "sameness-group",
    "api-gateway",
    "bound-api-gateway",
    "http-route",
    "tcp-route",
    "file-system-certificate",
    "inline-certificate",
    "control-plane-request-limit",
    "jwt-provider",
)

#: consul.hashicorp.com kinds served by consul-k8s (v1alpha1), plus the API-gateway
#: kinds of the same group.
CRD_KINDS = (
    "PeeringAcceptor",
    "PeeringDialer",
    "Mesh",
    "ExportedServices",
    "ServiceIntentions",
    "ProxyDefaults",
    "ServiceDefaults",
    "SamenessGroup",
    "ServiceResolver",
    "ServiceRouter",
    "ServiceSplitter",
    "IngressGateway",
    "TerminatingGateway",
    "JWTProvider",
    "ControlPlaneRequestLimit",
    "Registration",
    "GatewayClassConfig",
    "GatewayPolicy",
    "MeshService",
    "RouteAuthFilter",
    "RouteRetryFilter",
    "RouteTimeoutFilter",
    "TrafficPermissions",
    "APIGateway",
    "HTTPRoute",
    "TCPRoute",
    "GRPCRoute",
    "GatewayClass",
    "InlineCertificate",
    "FileSystemCertificate",
)

#: The config-entry kind each CRD writes (those the graph reads).
CRD_TO_ENTRY = {
    "Mesh": "mesh",
    "ExportedServices": "exported-services",
    "ServiceIntentions": "service-intentions",
    "ProxyDefaults": "proxy-defaults",
    "ServiceDefaults": "service-defaults",
    "SamenessGroup": "sameness-group",
    "ServiceResolver": "service-resolver",
    "ServiceRouter": "service-router",
    "ServiceSplitter": "service-splitter",
    "IngressGateway": "ingress-gateway",
    "TerminatingGateway": "terminating-gateway",
    "JWTProvider": "jwt-provider",
    "ControlPlaneRequestLimit": "control-plane-request-limit",
}


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """The closest known spelling, if one is close enough to be a typo."""
    choices = list(choices)
    folded = {c.lower().replace("-", "").replace("_", ""): c for c in choices}
    key = word.lower().replace("-", "").replace("_", "")
    if key in folded and folded[key] != word:
        return folded[key]
    near = difflib.get_close_matches(key, list(folded), n=1, cutoff=0.75)
    return folded[near[0]] if near else None
