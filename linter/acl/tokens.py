"""ACL tokens, what they are bound to, and whether a cluster enforces ACLs.

A token (ACL API token JSON) is resolved into an :class:`~linter.acl.authorizer.Authorizer`
from its ``Policies`` (by Name or ID, found among the repository's policy files),
``ServiceIdentities``, ``NodeIdentities``, ``TemplatedPolicies`` and ``Roles`` (their
policies and identities: roles are Terraform's ``consul_acl_role``, the ``acl-role``
documents). When anything it uses is not in the repository (a policy or role not
found, an unknown template) the
token is *unresolved* and rules stay silent about it: the missing piece may grant
everything.

A token applies to a service through a ServiceIdentity of that service, or through a
service definition whose ``token`` equals the token's ``SecretID``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Iterator

from linter.acl.authorizer import Authorizer
from linter.acl.policy import Policy, identity_policy, policy_from_document
from linter.k8s.helm import truthy
from linter.model.document import (
    ACL_POLICY,
    ACL_POLICY_API,
    ACL_TOKEN,
    AGENT_CONFIG,
    HELM_VALUES,
    TF_ROLE,
    Document,
    is_true,
    text,
)
from linter.nodes import Mapping, Node, as_list

if TYPE_CHECKING:
    from linter.project import Project

TEMPLATES = {"builtin/service": "service", "builtin/node": "node", "builtin/dns": "dns"}


@dataclass
class Token:
    doc: Document
    secret: str | None
    policies: list[Policy] = field(default_factory=list)
    service_identities: dict[str, Node] = field(default_factory=dict)
    unresolved: str = ""

    def authorizer(self, default_policy: str = "deny") -> Authorizer:
        return Authorizer(self.policies, default_policy)

    def anchor(self) -> Node:
        """Where a finding about what the token grants points: its ``Policies`` (where
        a policy would be added), else its identities, else the whole token."""
        root = self.doc.root
        return (
            root.key("Policies")
            or root.key("ServiceIdentities")
            or root.key("TemplatedPolicies")
            or root.key("NodeIdentities")
            or root
        )


@dataclass
class AclState:
    """Whether a cluster enforces ACLs: ``managed`` when consul-k8s makes the tokens
    (Helm ``global.acls.manageSystemACLs``, read with the chart's Go template
    truthiness, :func:`linter.k8s.helm.truthy`); ``doc`` is the file that says so."""

    enabled: bool
    default_policy: str
    managed: bool
    doc: Document | None = None


class AclModel:
    """Policies and tokens of a project, built once per rule run (linear in documents)."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.by_name: dict[tuple[str, str], Policy] = {}
        self.by_id: dict[str, Policy] = {}
        for doc in project.of(ACL_POLICY, ACL_POLICY_API):
            policy = policy_from_document(doc, project.texts.get(doc.path, ""))
            if policy is None:
                continue
            self.by_name.setdefault((doc.cluster, policy.name), policy)
            self.by_name.setdefault(("*", policy.name), policy)
            if policy.id:
                self.by_id.setdefault(policy.id, policy)
        # roles (Terraform's consul_acl_role): a token's Roles grant their policies and identities
        self.roles: dict[tuple[str, str], Document] = {}
        for doc in project.of(TF_ROLE):
            name = text(doc.root.get("Name"))
            if name:
                self.roles.setdefault((doc.cluster, name), doc)
        self.tokens = [self._token(doc) for doc in project.of(ACL_TOKEN) if isinstance(doc.root, Mapping)]
        # Where each token may apply, so a service's tokens are looked up, not searched
        # for among every token of the project (once per service: quadratic).
        self._by_secret: dict[str, list[int]] = {}
        self._by_identity: dict[tuple[str, str], list[int]] = {}
        for index, token in enumerate(self.tokens):
            if token.secret:
                self._by_secret.setdefault(token.secret, []).append(index)
            for name in token.service_identities:
                self._by_identity.setdefault((token.doc.cluster, name), []).append(index)

    def _token(self, doc: Document) -> Token:
        root = doc.root
        token = Token(doc, text(root.get("SecretID")))
        for link in as_list(root.get("Roles")):
            name = text(link.get("Name")) if isinstance(link, Mapping) else None
            role = self.roles.get((doc.cluster, name)) if name else None
            if role is None:
                token.unresolved = token.unresolved or "it uses a role that is not in the repository"
            else:
                self._grant(token, role.root, doc)
        self._grant(token, root, doc)
        return token

    def _grant(self, token: Token, root: Mapping, doc: Document) -> None:
        """What a token's (or one of its roles') policies and identities grant it."""
        for link in as_list(root.get("Policies")):
            policy = None
            if isinstance(link, Mapping):
                name, pid = text(link.get("Name")), text(link.get("ID"))
                policy = (self.by_id.get(pid) if pid else None) or (
                    self.by_name.get((doc.cluster, name)) or self.by_name.get(("*", name)) if name else None
                )
            if policy is None or policy.opaque:
                token.unresolved = token.unresolved or "a policy it uses is not in the repository"
            else:
                token.policies.append(policy)
        for ident in as_list(root.get("ServiceIdentities")):
            name_node = ident.get("ServiceName") if isinstance(ident, Mapping) else None
            name = text(name_node)
            if name:
                token.service_identities[name] = name_node  # type: ignore[assignment]
                token.policies.append(identity_policy("service", name))
        for ident in as_list(root.get("NodeIdentities")):
            name = text(ident.get("NodeName")) if isinstance(ident, Mapping) else None
            if name:
                token.policies.append(identity_policy("node", name))
        for tmpl in as_list(root.get("TemplatedPolicies")):
            kind = TEMPLATES.get(text(tmpl.get("TemplateName")) or "") if isinstance(tmpl, Mapping) else None
            variables = tmpl.get("TemplateVariables") if isinstance(tmpl, Mapping) else None
            name = text(variables.get("Name")) if isinstance(variables, Mapping) else ""
            if kind is None or (kind != "dns" and not name):
                token.unresolved = token.unresolved or "it uses a templated policy peerlint cannot expand"
                continue
            policy = identity_policy(kind, name or "")
            if kind == "service" and name:
                token.service_identities[name] = variables.get("Name")  # type: ignore[union-attr,assignment]
            token.policies.append(policy)

    def tokens_for_service(self, service: Document, *names: str) -> Iterator[tuple[Token, Node]]:
        """The tokens that apply to a service definition, each with the node that binds
        it (the ServiceIdentity name, or the service definition's ``token``)."""
        secret = text(service.root.get("token"))
        candidates = set(self._by_secret.get(secret, ())) if secret else set()
        for name in names:
            candidates.update(self._by_identity.get((service.cluster, name), ()))
        for token in (self.tokens[i] for i in sorted(candidates)):  # in project order, as before
            if secret and token.secret == secret:
                yield token, service.root.get("token")  # type: ignore[misc]
            elif token.doc.cluster == service.cluster:
                for name in names:
                    if name in token.service_identities:
                        yield token, token.service_identities[name]
                        break


def acl_documents(project: Project) -> dict[str, tuple[list[Document], list[Document]]]:
    """Each cluster's Helm values and top-level agent configurations, in project order:
    grouped once per run for the PL5xx rules (not re-filtered per cluster)."""
    return project.derived(_group_acl_documents)


def _group_acl_documents(project: Project) -> dict[str, tuple[list[Document], list[Document]]]:
    grouped: dict[str, tuple[list[Document], list[Document]]] = {}
    for doc in project.of(HELM_VALUES):
        grouped.setdefault(doc.cluster, ([], []))[0].append(doc)
    for doc in project.of(AGENT_CONFIG):
        if doc.parent is None:
            grouped.setdefault(doc.cluster, ([], []))[1].append(doc)
    return grouped


def acl_state(project: Project, cluster: str) -> AclState | None:
    """How ``cluster`` enforces ACLs, from its Helm values and agent configs; None when
    the repository holds neither (then nothing can be judged). Any agent config that
    enables ACLs with ``default_policy = "deny"`` decides (the servers enforce).
    Judged once per cluster and run, however many rules ask."""
    states = project.derived(_no_states)
    if cluster not in states:
        helms, agents = acl_documents(project).get(cluster, ((), ()))
        states[cluster] = _acl_state(helms, agents)
    return states[cluster]


def _no_states(project: Project) -> dict[str, AclState | None]:
    """The per-cluster ACL states of a run, filled as clusters are asked about."""
    return {}


def _acl_state(helms: Iterable[Document], agents: Iterable[Document]) -> AclState | None:
    state: AclState | None = None
    for doc in helms:
        glob = doc.root.get("global")
        acls = glob.get("acls") if isinstance(glob, Mapping) else None
        managed = acls.get("manageSystemACLs") if isinstance(acls, Mapping) else None
        if truthy(managed):  # the chart's own reading: a string "true" manages ACLs too
            return AclState(True, "deny", True, doc)
        state = state or AclState(False, "allow", False, doc)
    for doc in agents:
        acl = doc.root.get("acl")
        if isinstance(acl, Mapping) and is_true(acl.get("enabled")):
            policy = (text(acl.get("default_policy")) or "allow").lower()
            if state is None or not state.enabled or policy == "deny":
                state = AclState(True, policy, False, doc)
        elif state is None:
            state = AclState(False, "allow", False, doc)
    return state


def acl_model(project: Project) -> AclModel:
    """The project's ACL model, built once and shared by the PL5xx rules."""
    return project.derived(AclModel)


def peered_clusters(project: Project) -> dict[str, tuple[Document | None, Node | None, str]]:
    """Clusters that peer, each with one place that says so (a peering declaration or
    a peer name in use; None for a ``[[peerings]]`` entry of the config) and the peer's
    name, for messages and ``related``."""
    graph = project.graph
    out: dict[str, tuple[Document | None, Node | None, str]] = {}
    for ref in graph.peer_references():
        out.setdefault(ref.cluster, (ref.doc, ref.node, ref.name))
    for peering in graph.peerings():
        out.setdefault(peering.cluster, (peering.doc, peering.node, peering.peer_name))
    for cluster in graph.clusters():
        for switch in graph.peering_switches(cluster):
            if switch.enabled and switch.doc.category == HELM_VALUES:
                out.setdefault(cluster, (switch.doc, switch.node, ""))
    return out
