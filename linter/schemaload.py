"""Which JSON Schema (schemas/, installed as linter.schemas) describes a document, and
reading it once per process. Apart from :mod:`linter.schemacheck` (the walk that
applies a schema) because both the walk and the tests that check the schemas against
Consul's own decoders need it."""

from __future__ import annotations

import json
import os

from linter.model.document import (
    ACL_POLICY,
    ACL_POLICY_API,
    ACL_TOKEN,
    AGENT_CONFIG,
    CONFIG_ENTRY,
    CRD,
    SERVICE_DEFINITION,
    Document,
)
from linter.nodes import Mapping

SCHEMA_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "schemas")
try:  # installed layout: linter.schemas
    import linter.schemas as _pkg  # type: ignore[import-not-found]

    SCHEMA_DIR = os.path.dirname(_pkg.__file__)
except ImportError:  # pragma: no cover - source checkout without install
    pass

ENTRY_KINDS = (
    "exported-services",
    "service-intentions",
    "mesh",
    "proxy-defaults",
    "service-defaults",
    "sameness-group",
    "service-resolver",
    "jwt-provider",
    "service-router",
    "service-splitter",
)
CRD_KINDS = (
    "JWTProvider",
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
)
OTHER = {
    SERVICE_DEFINITION: "agent-service",
    AGENT_CONFIG: "agent-config",
    ACL_POLICY: "acl-rules",
    ACL_POLICY_API: "acl-policy-api",
    ACL_TOKEN: "acl-token",
    # HELM_VALUES: judged against the chart version the cluster runs (linter.k8s.chartkeys)
}
_SCHEMAS: dict[str, dict] = {}


def schema_name(doc: Document) -> str | None:
    """The schema file (without .json) that describes ``doc``, if any."""
    if doc.category == CONFIG_ENTRY:
        return f"entry-{doc.kind}" if doc.kind in ENTRY_KINDS else None
    if doc.category == CRD:
        return f"crd-{doc.kind.lower()}" if doc.kind in CRD_KINDS else None
    if doc.category == AGENT_CONFIG and _looks_like_api_payload(doc.root):
        return None  # a catalog/agent HTTP payload (Node, Address, Service{...}): not an agent file
    if (
        doc.category == SERVICE_DEFINITION
        and isinstance(doc.root.parent, Mapping)
        and _looks_like_api_payload(doc.root.parent)
    ):
        return None  # a catalog/agent HTTP payload (Node, Address, Service{...}): not an agent file
    return OTHER.get(doc.category)


def _looks_like_api_payload(root: Mapping) -> bool:
    """Agent files use snake_case keys; HTTP API payloads use CamelCase ones."""
    keys = root.keys()
    return bool(keys) and sum(1 for k in keys if k[:1].isupper()) * 2 > len(keys)


def load_schema(name: str) -> dict:
    """A schema by name, read once per process."""
    if name not in _SCHEMAS:
        with open(os.path.join(SCHEMA_DIR, name + ".json"), encoding="utf-8") as handle:
            _SCHEMAS[name] = json.load(handle)
    return _SCHEMAS[name]
