"""A document: one parsed tree, what kind of Consul configuration it is, and where
it belongs (cluster and partition)."""

from __future__ import annotations

from dataclasses import dataclass, field

from linter.nodes import Mapping, Node, Scalar

# Document categories
CONFIG_ENTRY = "config-entry"
CRD = "crd"
HELM_VALUES = "helm-values"
AGENT_CONFIG = "agent-config"
SERVICE_DEFINITION = "service-definition"
ACL_POLICY = "acl-policy"  # rules language (HCL or JSON rules file)
ACL_POLICY_API = "acl-policy-api"  # API JSON with Name and Rules
ACL_TOKEN = "acl-token"
K8S_WORKLOAD = "k8s-workload"
K8S_SECRET = "k8s-secret"
# Terraform's consul provider (linter.model.terraform): what has no Consul document kind
TF_PEERING = "terraform-peering"  # consul_peering_token / consul_peering
TF_PROVIDER = "terraform-provider"  # a provider "consul" block
TF_ROLE = "acl-role"  # consul_acl_role
TF_HELM_RELEASE = "terraform-helm-release"  # a consul helm_release that only names values files

CATEGORIES = (
    CONFIG_ENTRY,
    CRD,
    HELM_VALUES,
    AGENT_CONFIG,
    SERVICE_DEFINITION,
    ACL_POLICY,
    ACL_POLICY_API,
    ACL_TOKEN,
    K8S_WORKLOAD,
    K8S_SECRET,
    TF_PEERING,
    TF_PROVIDER,
    TF_ROLE,
    TF_HELM_RELEASE,
)


@dataclass(eq=False)
class Document:
    """One Consul document.

    ``kind`` is the config-entry kind (``exported-services``), the CRD kind
    (``PeeringAcceptor``), or the category itself for the other categories.
    ``root`` is the document's tree; for documents embedded in another (an agent's
    ``config_entries.bootstrap`` item, a ``service`` block) it is that sub-tree.
    """

    path: str
    index: int
    category: str
    kind: str
    root: Mapping
    syntax: str
    cluster: str = "default"
    partition: str = "default"
    parent: Document | None = None
    extra: dict = field(default_factory=dict)

    @property
    def name(self) -> str | None:
        """The resource name: ``metadata.name`` for Kubernetes objects, ``Name``
        otherwise."""
        if self.category in (CRD, K8S_WORKLOAD, K8S_SECRET):
            meta = self.root.get("metadata")
            value = meta.value("name") if isinstance(meta, Mapping) else None
        else:
            value = self.root.value("Name")
        return value if isinstance(value, str) else None  # `name: true` names nothing

    @property
    def spec(self) -> Mapping:
        """The body that carries the fields: ``spec`` for CRDs, the root otherwise."""
        if self.category == CRD:
            spec = self.root.get("spec")
            return spec if isinstance(spec, Mapping) else Mapping([], self.root.span)
        return self.root

    def at(self, node: Node | None) -> Site:
        """The place of ``node`` in this document (the whole document for None): what
        :meth:`linter.api.Rule.report` points a finding at."""
        return Site(self, node)

    def identity(self) -> str:
        """A stable identity for baselines and fingerprints: kind and name, not lines."""
        return f"{self.kind}/{self.name or '#%d' % self.index}"

    def kind_node(self) -> Node | None:
        return self.root.exact("Kind") or self.root.exact("kind")

    def name_node(self) -> Node:
        if self.category in (CRD, K8S_WORKLOAD, K8S_SECRET):
            meta = self.root.get("metadata")
            if isinstance(meta, Mapping) and meta.get("name") is not None:
                return meta.get("name")  # type: ignore[return-value]
        return self.root.get("Name") or self.kind_node() or self.root


@dataclass(frozen=True, eq=False)
class Site:
    """A node in a document: a finding's place (``doc.at(node)``)."""

    doc: Document
    node: Node | None = None


def text(node: Node | None) -> str | None:
    """A scalar's value as a string, or None."""
    if isinstance(node, Scalar) and node.value is not None and not isinstance(node.value, (dict, list)):
        return node.value if isinstance(node.value, str) else str(node.value)
    return None


def is_true(node: Node | None) -> bool:
    """A boolean setting that is on: ``true``, or the string "true" in any case (what
    Consul's weak decoding of agent configuration reads as true)."""
    value = node.value if isinstance(node, Scalar) else None
    return value is True or (isinstance(value, str) and value.lower() == "true")
