"""Helper tier: Consul agent configuration across the files of one agent (a folder of
``*.hcl``/``*.json`` merged as ``consul agent -config-dir`` merges them): datacenters,
the primary datacenter, WAN federation settings. A facade over :mod:`linter.k8s.agents`."""

from __future__ import annotations

from linter.k8s.agents import (
    agents,
    boolean,
    datacenter,
    first_boolean,
    first_set,
    folders,
    get,
    mesh_gateway_federation,
    non_empty_list,
    primary_datacenter,
    siblings,
    value,
)

__all__ = [
    "agents",
    "boolean",
    "datacenter",
    "first_boolean",
    "first_set",
    "folders",
    "get",
    "mesh_gateway_federation",
    "non_empty_list",
    "primary_datacenter",
    "siblings",
    "value",
]
