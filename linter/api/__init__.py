"""The rule API: everything a rule, built-in or third-party, imports.

Rules import this module and, for domain questions, the documented helper modules
beside it (the second tier); nothing else of peerlint. Modelled on sqlfluff's
``core/rules`` facade: one stable name for each concept, whatever module implements it.

First tier (this module):

- :class:`Rule`, with :meth:`Rule.report` the one way to make a :class:`Finding`, at
  any place (``doc.at(node)``, a :class:`Document`, a topology item, a
  :class:`Location`), with ``related`` places and a :class:`Fix` of text :class:`Edit`\\ s.
- :class:`Project`: what ``check(project)`` receives (documents by kind, the topology).
- :class:`Document`, its categories, and the node types with their helpers.
- :class:`Topology` and its items.

Second tier (``linter.api.<name>``, each a small documented facade):
``validation`` (Consul's own field and name checks), ``schema`` (the decoder-shape
checks behind PL101-PL104), ``helm`` (chart values and installs), ``versions``
(Consul / consul-k8s versions), ``agents`` (agent configuration), ``k8s``
(upstream annotations, workloads), ``acl`` (policies, tokens, secrets), ``topology``
(questions that combine topology items).

Rules are found through the ``peerlint.rules`` entry-point group; an entry point may
name a module or package (every Rule subclass in it is loaded) or a Rule class.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterator, Protocol, TypeVar

from linter.api.rule import DOCS_URL, Place, Rule, Unlocatable, file_location, rule_page, validate_rule
from linter.api.ruledocs import doc_with_examples
from linter.findings import SEVERITIES, SEVERITY_RANK, Edit, Finding, Fix, Location, sorted_findings
from linter.graph.query import (
    Export,
    Gateway,
    Intention,
    MeshConfig,
    ModeSetting,
    Peering,
    PeeringSwitch,
    PeerReference,
    Service,
    Topology,
    Upstream,
    VersionSetting,
)
from linter.model.document import (
    ACL_POLICY,
    ACL_POLICY_API,
    ACL_TOKEN,
    AGENT_CONFIG,
    CATEGORIES,
    CONFIG_ENTRY,
    CRD,
    HELM_VALUES,
    K8S_SECRET,
    K8S_WORKLOAD,
    SERVICE_DEFINITION,
    Document,
    Site,
    is_true,
    text,
)
from linter.nodes import Mapping, Node, Scalar, Sequence, Span, as_list, fold_key, format_path, walk

if TYPE_CHECKING:
    from linter.config import Config

__all__ = [
    # rules and findings
    "Rule",
    "Finding",
    "Location",
    "Fix",
    "Edit",
    "Place",
    "Unlocatable",
    "file_location",
    "validate_rule",
    "sorted_findings",
    "SEVERITIES",
    "SEVERITY_RANK",
    "DOCS_URL",
    "rule_page",
    "doc_with_examples",
    # what a rule reads
    "Project",
    "Document",
    "Site",
    "CATEGORIES",
    "CONFIG_ENTRY",
    "CRD",
    "HELM_VALUES",
    "AGENT_CONFIG",
    "SERVICE_DEFINITION",
    "ACL_POLICY",
    "ACL_POLICY_API",
    "ACL_TOKEN",
    "K8S_WORKLOAD",
    "K8S_SECRET",
    # nodes
    "Node",
    "Mapping",
    "Sequence",
    "Scalar",
    "Span",
    "as_list",
    "fold_key",
    "format_path",
    "walk",
    "text",
    "is_true",
    # the topology
    "Topology",
    "Peering",
    "Gateway",
    "ModeSetting",
    "Export",
    "Intention",
    "Upstream",
    "Service",
    "PeerReference",
    "MeshConfig",
    "VersionSetting",
    "PeeringSwitch",
]

T = TypeVar("T")


class Project(Protocol):
    """What ``Rule.check`` receives: the finished, read-only project of one run."""

    config: Config
    documents: list[Document]
    texts: dict[str, str]

    def of(self, *kinds: str) -> Iterator[Document]:
        """Documents of these categories (``config-entry``, ``helm-values``, ...) or
        kinds (``exported-services``, ``PeeringAcceptor``), in file order. A rule
        declares what it reads in ``Rule.reads``."""
        ...

    @property
    def graph(self) -> Topology:
        """The topology of every cluster in the repository (built once, on first use)."""
        ...

    @property
    def edition(self) -> str:
        """``ce`` or ``ent``: the Consul edition the project runs."""
        ...

    def edition_of(self, cluster: str | Document) -> Any:
        """The edition ``cluster`` (a name, or a document: its cluster's) runs and how
        peerlint knows it: ``.edition`` (``ce`` or ``enterprise``), ``.enterprise``,
        ``.source`` (``config``, ``files`` or ``assumed``: nothing says, CE by default;
        a document whose cluster is a guess gets ``assumed`` rather than another
        cluster's CE), ``.assumed`` and ``.why`` (words for a message)."""
        ...

    def derived(self, build: Callable[[Any], T]) -> T:
        """Something several rules read and the project determines: ``build(project)``
        once per run, keyed by ``build`` (a module-level function or class)."""
        ...

    @property
    def problems(self) -> list[Any]:
        """Files that gave no documents (unreadable, unparsable), for PL001."""
        ...

    @property
    def files(self) -> list[str]: ...
