"""consul-k8s webhooks: SamenessGroup, Mesh and ExportedServices (``Validate`` in
``samenessgroup_types.go``, ``mesh_types.go``, ``exportedservices_types.go``): the
checks that depend on the webhook's namespace and partition flags, and the few no
other layer holds. Elsewhere already: members and services lists (the schema), two of
peer/partition/sameness group (PL106), wildcard consumers (PL107), repeated members
(PL108), resource names (PL105), Enterprise fields on CE (PL109).
"""

from __future__ import annotations

from typing import Any, Iterator

from linter.constraints import Context, Violation, checks
from linter.constraints.k8s import SPEC, as_json, forbidden, invalid, invalid_absent, obj, seq, text, turned_off


@checks("crd-samenessgroup")
def sameness_group(data: Any, context: Context) -> Iterator[Violation]:
    """``SamenessGroup.Validate``: a name, the default namespace, members naming a peer
    or a partition, and the local partition among them (when the webhook's partition
    is known)."""
    data = obj(data)
    meta, spec = obj(data.get("metadata")), obj(data.get("spec"))
    if text(meta.get("name")) == "":
        detail = "sameness groups must have a name defined"
        yield invalid_absent(data, ("metadata",), "name", "spec.name", "", detail, fix="set metadata.name")
    namespace = text(meta.get("namespace"))
    if namespace not in ("", "default"):
        detail = "sameness groups must reside in the default namespace"
        yield invalid(data, ("metadata", "namespace"), "spec.name", "", detail, fix='use namespace "default"')
    members = seq(spec.get("members"))
    local = spec.get("includeLocal") is True
    for i, member in enumerate(members):
        member = obj(member)
        if context.partition is not None and text(member.get("partition")) == context.partition:
            local = True
        if not text(member.get("peer")) and not text(member.get("partition")):
            detail = "sameness group members must specify either partition or peer"
            yield invalid(
                data,
                SPEC + ("members", i),
                f"spec.members[{i}]",
                as_json(member),
                detail,
                kind="missing",
                fix="set peer or partition",
            )
    if members and not local and context.partition is not None:
        detail = "the local partition must be a member of sameness groups"
        yield invalid(
            data, SPEC + ("members",), "spec.members", False, detail, fix="set includeLocal: true", at_key=True
        )


@checks("crd-mesh")
def mesh(data: Any, context: Context) -> Iterator[Violation]:
    """``PeeringMeshConfig.validate``: peering through mesh gateways is set in the
    default partition only."""
    peering = obj(obj(obj(data).get("spec")).get("peering"))
    if (
        context.partitions_enabled
        and context.partition is not None
        and context.partition != "default"
        and peering.get("peerThroughMeshGateways") is True
    ):
        path = SPEC + ("peering", "peerThroughMeshGateways")
        detail = '"peerThroughMeshGateways" is only valid in the "default" partition'
        yield forbidden(
            data, path, "spec.peering.peerThroughMeshGateways", detail, fix="set it in the default partition's Mesh"
        )


@checks("crd-exportedservices")
def exported_services(data: Any, context: Context) -> Iterator[Violation]:
    """``ExportedService.validate`` / ``ServiceConsumer.validate``: a consumer names a
    peer, a partition or a sameness group; namespaces and partitions only where the
    webhook has them on (Enterprise; PL109 reports CE); and the resource's name, the
    partition's (where PL105, which reads peerlint.toml's partition, does not say it)."""
    yield from exported_name(data, context)
    for i, service in enumerate(seq(obj(obj(data).get("spec")).get("services"))):
        service = obj(service)
        path, where = SPEC + ("services", i), f"spec.services[{i}]"
        if text(service.get("namespace")) and turned_off(context, "namespaces_enabled"):
            detail = "Consul Namespaces must be enabled to specify service namespace."
            yield invalid(data, path + ("namespace",), where, service["namespace"], detail)
        for j, consumer in enumerate(seq(service.get("consumers"))):
            consumer = obj(consumer)
            named = [f for f in ("partition", "peer", "samenessGroup") if text(consumer.get(f))]
            at = path + ("consumers", j)
            if not named:
                detail = "service consumer must define at least one of Peer, Partition, or SamenessGroup"
                yield invalid(data, at, f"{where}.consumers[{j}]", consumer, detail, kind="missing", fix="set peer")
            elif named == ["partition"] and turned_off(context, "partitions_enabled"):
                detail = "Consul Admin Partitions need to be enabled to specify partition."
                yield invalid(
                    data, at + ("partition",), f"{where}.consumers[{j}].partition", consumer["partition"], detail
                )


def exported_name(data: Any, context: Context) -> Iterator[Violation]:
    """``ExportedServices.Validate``'s name rule, on an Enterprise cluster whose webhook
    flags the Helm values give and that peerlint.toml does not place (PL105's)."""
    if not context.enterprise or getattr(context, "configured", True) or context.partitions_enabled is None:
        return
    name = obj(obj(data).get("metadata")).get("name")
    if not isinstance(name, str):
        return
    if context.partitions_enabled and context.partition is not None and name != context.partition:
        detail = f'exportedservices resource name must be the same name as the partition, "{context.partition}"'
    elif not context.partitions_enabled and name != "default":
        detail = 'exportedservices resource name must be "default"'
    else:
        return
    yield invalid(
        data, ("metadata", "name"), "name", name, detail, fix=f"metadata.name: {context.partition or 'default'}"
    )
