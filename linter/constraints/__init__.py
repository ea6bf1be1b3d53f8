"""Consul's own ``Validate()`` rules beyond the decoder's shape: the constraint layer.

The schema walk (:mod:`linter.schemacheck`) turns every document into plain data under
Consul's canonical field names, with a map from each canonical path back to its node.
The checks Consul runs after decoding (``agent/structs`` ``Validate()``, the agent
config builder's ``validate()``, the consul-k8s webhooks, the ACL rule parser) are
written here against that data, the way Consul writes them in Go, and report a
canonical path; the schema layer points the finding at the exact key or value. So a
check is a few lines over dicts, never a second walk of HCL, JSON or YAML, and the
same check serves every syntax the document can be written in.

Each module of this package is one family (service definitions, config entries, the
agent config builder, consul-k8s webhooks, ACL rules) and registers its checks with
:func:`checks` for the schema names (``schemas/<name>.json``) they apply to; a run
imports only the modules :data:`FAMILIES` lists for its documents' schemas, so a new
module (or a module's new schema) goes in that map too (a test says what to add). A
violation's ``kind`` chooses the rule that reports it: ``value`` (PL103),
``missing`` (PL104) or ``conflict`` (PL106). Messages are Consul's own words, as
``consul config write``, ``kubectl apply`` or the agent would print them.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

__all__ = [
    "Context",
    "Violation",
    "checks",
    "checks_for",
    "violations",
    "placeholder",
    "KINDS",
    "FAMILIES",
    "TEMPLATE_MARKS",
]

#: Violation kinds and the rule each one is reported by.
KINDS = {"value": "PL103", "missing": "PL104", "conflict": "PL106"}


@dataclass(frozen=True)
class Context:
    """What a check may depend on besides the document: the cluster's edition
    (``ce``/``enterprise``), and on Kubernetes the consul-k8s enablement the webhook
    is started with (``None`` where the repository does not say: a check that depends
    on an unknown stays silent)."""

    edition: str = "ce"
    #: True when nothing in the repository says which edition runs (CE is only
    #: assumed): a check that holds only on CE stays silent then.
    edition_assumed: bool = False
    namespaces_enabled: bool | None = None
    partitions_enabled: bool | None = None
    partition: str | None = None
    #: The Consul version the document's cluster runs (Helm ``global.image``'s tag, else
    #: ``consul-version``), or None: keys and checks newer Consul releases added are
    #: judged against it (an agent key no pinned release reads is refused, unpinned it
    #: is only a warning).
    consul_version: tuple[int, int, int] | None = None

    @property
    def enterprise(self) -> bool:
        return self.edition == "enterprise"

    @property
    def known_ce(self) -> bool:
        """The cluster is known (not merely assumed) to run Consul CE."""
        return self.edition == "ce" and not self.edition_assumed


@dataclass(frozen=True)
class Violation:
    """One refusal: ``path`` is canonical (field names as the schema spells them, list
    indexes as ints) and leads to the node reported; ``anchor`` (optional) is the path
    of the mapping that lacks a ``missing`` field, reported at its key."""

    kind: str
    path: tuple
    message: str
    fix: str = ""
    anchor: tuple | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown violation kind {self.kind!r}")


#: Template placeholders (envsubst, Flux, Helm, go-sockaddr and Go templates,
#: consul-template, shell heredocs, Terraform's templatefile): a value holding one is
#: only known once rendered.
TEMPLATE_MARKS = ("${", "{{", "$(")


def is_template(value: Any) -> bool:
    """A value holding a template placeholder (only known once rendered)."""
    return isinstance(value, str) and any(mark in value for mark in TEMPLATE_MARKS)


def placeholder(node: Any) -> bool:
    """A scalar node written as a template placeholder, rendered before Consul reads it:
    a refusal landing on it is not reported."""
    return is_template(getattr(node, "value", None))


Check = Callable[[Any, Context], Iterable[Violation]]
_REGISTRY: dict[str, list[Check]] = {}
_LOADED = False


def checks(*schema_names: str) -> Callable[[Check], Check]:
    """Register a check for documents of these schemas (``entry-service-resolver``,
    ``crd-serviceresolver``, ``agent-service``, ``agent-config``, ``acl-rules``, ...)."""

    def register(check: Check) -> Check:
        for name in schema_names:
            _REGISTRY.setdefault(name, []).append(check)
        return check

    return register


#: Which family modules register checks for each schema name, in the order a full
#: import registers them (so each schema's checks run in one fixed order however many
#: families a run has loaded). Why a static map: a run imports only the families its
#: documents need (importing all of them was a third of the constraint layer's cost on
#: a 1,000-file fleet); tests/test_constraint_families.py checks it against what the
#: modules register. A schema not listed has no checks.
FAMILIES: dict[str, tuple[str, ...]] = {
    "acl-policy-api": ("acl_api",),
    "acl-rules": ("acl",),
    "agent-config": (
        "agent_addresses",
        "agent_autoconfig",
        "agent_connect",
        "agent_durations",
        "agent_features",
        "agent_modes",
        "agent_segments",
        "agent_tls",
        "agent_values",
    ),
    "agent-service": ("service_proxy", "service", "service_checks"),
    "crd-exportedservices": ("k8s_misc",),
    "crd-jwtprovider": ("k8s_jwt",),
    "crd-mesh": ("k8s_misc",),
    "crd-proxydefaults": ("k8s_proxy",),
    "crd-samenessgroup": ("k8s_misc",),
    "crd-servicedefaults": ("k8s_defaults",),
    "crd-serviceintentions": ("k8s_intentions",),
    "crd-serviceresolver": ("k8s_resolver",),
    "crd-servicerouter": ("k8s_router",),
    "crd-servicesplitter": ("k8s_router",),
    "entry-exported-services": ("entries_common",),
    "entry-jwt-provider": ("entries_common", "entries_jwt"),
    "entry-mesh": ("entries_common", "entries_mesh"),
    "entry-proxy-defaults": ("entries_common", "entries_defaults"),
    "entry-sameness-group": ("entries_common",),
    "entry-service-defaults": ("entries_common", "entries_defaults"),
    "entry-service-intentions": ("entries_common", "entries_intentions"),
    "entry-service-resolver": ("entries_common", "entries_resolver"),
    "entry-service-router": ("entries_common", "entries_router"),
    "entry-service-splitter": ("entries_common", "entries_router_splitter"),
}
#: Each schema's checks in run order, built on first use (:func:`checks_for`).
_READY: dict[str, tuple[Check, ...]] = {}


def _load_families() -> None:
    """Import every family module once (the tests and tools that list every check;
    a run imports only what :data:`FAMILIES` names for its documents)."""
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    for module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
        if not module.startswith("_"):
            importlib.import_module(f"{__name__}.{module}")


def checks_for(schema_name: str) -> tuple[Check, ...]:
    """The checks registered for ``schema_name``, importing only the family modules
    :data:`FAMILIES` names for it (lazily: ``peerlint --version`` never pays), ordered
    as a full import orders them: module by module in the map's order, each module's
    checks in the order it registers them."""
    ready = _READY.get(schema_name)
    if ready is None:
        modules = [f"{__name__}.{m}" for m in FAMILIES.get(schema_name, ())]
        for module in modules:
            importlib.import_module(module)
        registered = _REGISTRY.get(schema_name, [])
        ready = _READY[schema_name] = tuple(c for m in modules for c in registered if c.__module__ == m)
    return ready


def violations(schema_name: str, data: Any, context: Context) -> Iterator[Violation]:
    """Every violation of ``data`` (a document's canonical data) against the checks
    registered for its schema."""
    for check in checks_for(schema_name):
        yield from check(data, context)
