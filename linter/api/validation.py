"""Helper tier: Consul's and consul-k8s's own checks of names and fields, for the
PL1xx rules (what ``agent/structs`` and the consul-k8s webhooks refuse).

A facade over :mod:`linter.model.validate`, :mod:`linter.model.duplicates`,
:mod:`linter.model.conflicts` and :mod:`linter.kinds`, so rules depend on these
names and not on where they are implemented."""
from __future__ import annotations

from linter.model.conflicts import intention as intention_conflicts, resolver as resolver_conflicts
from linter.model.duplicates import (
    SINGLETON_WEBHOOK, SINGLETONS, bind_target, content, k8s_object, normalized, repeated, singleton_key, source_identity,
    upstream_identity,
)
from linter.kinds import CONFIG_ENTRY_KINDS, CRD_KINDS, did_you_mean
from linter.model.validate import (
    DATACENTER_NAME, KUBE_KIND, SUBSET_NAME, SUBSET_NAME_HELP, WILDCARD, child, consumer_path, crd_error,
    exported_consumers, exported_services, failovers, intention_destination, intention_sources, is_crd, is_set,
    known_partition, later, mappings, pair, peer_name_problem, resolver_targets, set_keys, source_path,
    suggest_peer_name, truthy, upstream_overrides, upstreams, value,
)

__all__ = [
    "intention_conflicts", "resolver_conflicts",
    "SINGLETON_WEBHOOK", "SINGLETONS", "bind_target", "content", "k8s_object", "normalized", "repeated", "singleton_key",
    "source_identity", "upstream_identity",
    "CONFIG_ENTRY_KINDS", "CRD_KINDS", "did_you_mean",
    "DATACENTER_NAME", "KUBE_KIND", "SUBSET_NAME", "SUBSET_NAME_HELP", "WILDCARD", "child", "consumer_path", "crd_error",
    "exported_consumers", "exported_services", "failovers", "intention_destination", "intention_sources", "is_crd",
    "is_set", "known_partition", "later", "mappings", "pair", "peer_name_problem", "resolver_targets", "set_keys",
    "source_path", "suggest_peer_name", "truthy", "upstream_overrides", "upstreams", "value",
]
