"""consul-k8s webhooks: ServiceIntentions (``serviceintentions_types.go`` ``Validate``).

Here: HTTP path prefixes and methods, description length, JWT
provider names, and the namespace and partition fields an install without them
refuses. Elsewhere already: the sources list, source names and actions (the schema,
``schemas/crd-serviceintentions.json``); one path or header matcher at a time, peer,
partition and sameness group together and action with permissions (PL106); wildcards (PL107); a method listed twice
(PL108); namespaces and partitions on CE (PL109).
"""

from __future__ import annotations

from typing import Any, Iterator

from linter.constraints import Context, Violation, checks
from linter.constraints.k8s import SPEC, invalid, joined, obj, seq, slash_path, text, turned_off

#: consul-k8s's ``metaValueMaxLength`` (the description's limit).
DESCRIPTION_MAX = 512
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE"]


def jwt(data: Any, body: Any, path: tuple, where: str) -> Iterator[Violation]:
    """``IntentionJWTRequirement.validate``: every provider is named."""
    for i, provider in enumerate(seq(obj(body).get("providers"))):
        if isinstance(provider, dict) and text(provider.get("name")) == "":
            at = path + ("providers", i, "name")
            detail = "JWT provider name is required"
            yield invalid(data, at, f"{where}.providers[{i}].name", "", detail, kind="missing", fix="name the provider")


def http(data: Any, body: dict, path: tuple, where: str) -> Iterator[Violation]:
    """``IntentionHTTPPermission.validate``: paths begin with ``/``, methods are HTTP's
    (consul-k8s names them under the permission, without ``http``)."""
    for name in ("pathPrefix", "pathExact"):
        if slash_path(body.get(name)):
            yield invalid(
                data,
                path + (name,),
                f"{where}.{name}",
                body[name],
                "must begin with a '/'",
                fix=f'write "/{body[name]}"',
            )
    for i, method in enumerate(seq(body.get("methods"))):
        if method not in METHODS:
            close = method.upper() if isinstance(method, str) and method.upper() in METHODS else None
            fix = f"use {close}" if close else "one of " + ", ".join(METHODS)
            yield invalid(data, path + ("methods", i), f"{where}.methods[{i}]", method, joined(METHODS), fix=fix)


def source(data: Any, i: int, body: dict, context: Context) -> Iterator[Violation]:
    path = SPEC + ("sources", i)
    where = f"spec.sources[{i}]"
    permissions = seq(body.get("permissions"))
    if permissions and not text(body.get("action")):  # both set: PL106
        for j, permission in enumerate(permissions):
            permission = obj(permission)
            at, named = path + ("permissions", j), f"{where}.permissions[{j}]"
            if isinstance(permission.get("http"), dict):
                yield from http(data, permission["http"], at + ("http",), named)
            yield from jwt(data, permission.get("jwt"), at + ("jwt",), f"{named}.jwt")
    if text(body.get("partition")) and turned_off(context, "partitions_enabled"):
        detail = "Consul Enterprise Admin Partitions must be enabled to set source.partition"
        yield invalid(data, path + ("partition",), f"{where}.partition", body["partition"], detail)
    description = text(body.get("description"))
    if len(description.encode("utf-8")) > DESCRIPTION_MAX:
        detail = f"description exceeds maximum length {DESCRIPTION_MAX}"
        yield invalid(
            data, path + ("description",), where, "", detail, fix=f"shorten the description to {DESCRIPTION_MAX} bytes"
        )
    if text(body.get("namespace")) and turned_off(context, "namespaces_enabled"):
        detail = "Consul Enterprise namespaces must be enabled to set source.namespace"
        yield invalid(data, path + ("namespace",), f"{where}.namespace", body["namespace"], detail)


@checks("crd-serviceintentions")
def service_intentions(data: Any, context: Context) -> Iterator[Violation]:
    """``ServiceIntentions.Validate`` (the parts no other check holds)."""
    spec = obj(obj(data).get("spec"))
    for i, body in enumerate(seq(spec.get("sources"))):
        if isinstance(body, dict):
            yield from source(data, i, body, context)
    destination = obj(spec.get("destination"))
    if text(destination.get("namespace")) and turned_off(context, "namespaces_enabled"):
        detail = "Consul Enterprise namespaces must be enabled to set destination.namespace"
        path = SPEC + ("destination", "namespace")
        yield invalid(data, path, "spec.destination.namespace", destination["namespace"], detail)
    yield from jwt(data, spec.get("jwt"), SPEC + ("jwt",), "spec.jwt")
