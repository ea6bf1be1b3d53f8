"""consul-k8s webhooks, shared: reading a custom resource's canonical data the way the
Go types decode it, and writing a refusal the way the webhook prints it.

The consul-k8s admission webhooks call each kind's ``Validate(consulMeta)``
(``control-plane/api/v1alpha1/*_types.go``) and answer with
``apierrors.NewInvalid``: ``<kubeKind>.consul.hashicorp.com "<name>" is invalid:
<field error>``, where a field error is one of Kubernetes' ``field`` package forms
(``path: Invalid value: <v>: <detail>``, ``path: Required value: <detail>``,
``path: Duplicate value: <v>``, ``path: Forbidden: <detail>``). The path in the message
is consul-k8s's own (it sometimes differs from the document's: ``spec.maxinboundconnections``,
``spec.envoyExtensions.envoyExtension[0]``); the violation's path is the canonical one,
so the finding lands on the key the user wrote.

``ConsulMeta`` comes from the :class:`~linter.constraints.Context`
(``namespaces_enabled``, ``partitions_enabled``, ``partition``; None when the
repository does not say). A check that depends on an unknown stays silent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from linter.constraints import Context, Violation
from linter.kinds import webhook_prefix

SPEC = ("spec",)


@dataclass(frozen=True)
class KubeContext(Context):
    """The webhook's ``ConsulMeta``, plus whether peerlint.toml places the cluster
    (``[clusters.NAME]``): PL105 judges an ExportedServices name by that partition, so
    the constraint layer leaves those clusters' names to it."""

    configured: bool = False
    #: ``ConsulMeta.Mirroring`` (``-enable-k8s-namespace-mirroring``, from
    #: ``connectInject.consulNamespaces.mirroringK8S`` with namespaces on), None if unknown
    mirroring: bool | None = None
    #: ``ConsulMeta.Prefix`` (``mirroringK8SPrefix``), None if unknown
    mirroring_prefix: str | None = None
    #: the consul-k8s version (``global.imageK8S``'s tag, else ``consul-k8s-version``), None if unknown
    version: tuple | None = None


def since(context: Context, *version: int) -> bool:
    """Whether the webhook may run a check consul-k8s added in ``version``: yes unless
    the cluster's consul-k8s is known to be older."""
    known = getattr(context, "version", None)
    return known is None or tuple(known[: len(version)]) >= version


def obj(value: Any) -> dict:
    """A struct field: the mapping, or an empty one (Go's zero value)."""
    return value if isinstance(value, dict) else {}


def seq(value: Any) -> list:
    return value if isinstance(value, list) else []


def text(value: Any) -> str:
    """A string field: the string, or "" (absent, or a type the schema layer reports)."""
    return value if isinstance(value, str) else ""


def num(value: Any) -> int | float:
    """A number field: the number, or 0."""
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


def go_value(value: Any) -> str:
    """A value the way ``field.Error`` prints it: strings quoted (``%q``), numbers and
    booleans bare, structs as JSON, nil as ``null``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def prefix(data: Any) -> str:
    data = obj(data)
    kind = text(data.get("kind"))
    name = text(obj(data.get("metadata")).get("name"))
    return webhook_prefix(kind, name)


def as_json(value: Any) -> str:
    """``string(asJSON)``: a struct consul-k8s marshals itself, printed as a quoted string."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def invalid(
    data: Any,
    path: tuple,
    where: str,
    value: Any,
    detail: str,
    kind: str = "value",
    fix: str = "",
    at_key: bool = False,
) -> Violation:
    """``field.Invalid``: ``where`` is consul-k8s's path text, ``path`` the canonical one
    (``at_key``: reported at the field's key, for a list or map value)."""
    message = f"{prefix(data)}{where}: Invalid value: {go_value(value)}: {detail}"
    return Violation(kind, path, message, fix or _enablement_fix(detail), path if at_key else None)


def _enablement_fix(detail: str) -> str:
    """The fix of every "... must be enabled to set ..." refusal: what the install lacks."""
    lowered = detail.lower()
    if "partitions must be enabled" in lowered or "partitions need to be enabled" in lowered:
        return "remove it: this install runs without admin partitions (global.adminPartitions.enabled)"
    if "namespaces must be enabled" in lowered:
        return "remove it: this install runs without Consul namespaces (global.enableConsulNamespaces)"
    return ""


def invalid_absent(
    data: Any, anchor: tuple, name: str, where: str, value: Any, detail: str, fix: str = ""
) -> Violation:
    """``field.Invalid`` about a field the document leaves out (Go sees its zero value):
    reported at the key of the mapping (or the list item) that lacks it."""
    message = f"{prefix(data)}{where}: Invalid value: {go_value(value)}: {detail}"
    return Violation("missing", anchor + (name,), message, fix, anchor)


def required(data: Any, path: tuple, where: str, detail: str, anchor: tuple | None = None, fix: str = "") -> Violation:
    """``field.Required``."""
    return Violation("missing", path, f"{prefix(data)}{where}: Required value: {detail}", fix, anchor)


def duplicate(data: Any, path: tuple, where: str, value: Any, fix: str = "") -> Violation:
    """``field.Duplicate``."""
    return Violation("value", path, f"{prefix(data)}{where}: Duplicate value: {go_value(value)}", fix)


def forbidden(data: Any, path: tuple, where: str, detail: str, fix: str = "") -> Violation:
    """``field.Forbidden``."""
    return Violation("value", path, f"{prefix(data)}{where}: Forbidden: {detail}", fix)


def turned_off(context: Context, flag: str) -> bool:
    """Whether an Enterprise cluster's webhook is known to run with ``flag``
    (``namespaces_enabled`` / ``partitions_enabled``) off. On CE, PL109 reports the same
    fields (namespaces and partitions are Enterprise features), so this stays silent
    there rather than say it twice."""
    return context.enterprise and getattr(context, flag) is False


def slash_path(value: Any) -> bool:
    """consul-k8s ``invalidPathPrefix``: set and not starting with ``/``."""
    return isinstance(value, str) and value != "" and not value.startswith("/")


def joined(values: list[str]) -> str:
    """consul-k8s ``notInSliceMessage``."""
    return 'must be one of "' + '", "'.join(values) + '"'
