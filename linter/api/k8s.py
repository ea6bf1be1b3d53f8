"""Helper tier: Kubernetes workloads and consul-k8s's
``consul.hashicorp.com/connect-service-upstreams`` annotation, parsed exactly as
consul-k8s parses it, with a span for each part of the value.
A facade over :mod:`linter.k8s.upstreams` and :mod:`linter.model.classify`."""

from __future__ import annotations

from linter.k8s.upstreams import (
    ANNOTATION,
    UpstreamAnnotation,
    parse_upstreams,
    part_span,
    target_with_peer,
    unlabeled_peer_hint,
)
from linter.model.classify import workload_annotation_maps

__all__ = [
    "ANNOTATION",
    "UpstreamAnnotation",
    "parse_upstreams",
    "part_span",
    "target_with_peer",
    "unlabeled_peer_hint",
    "workload_annotation_maps",
]
