"""jwt-provider: ``JWTProviderConfigEntry.Validate`` (agent/structs
config_entry_jwt_provider.go), in Consul's words: a name, exactly one of a local or a
remote JSON Web Key Set (a local one is exactly one of an inline base64 string or a
file name; a remote one has a request URI, a retry back-off whose MaxInterval is not
below its BaseInterval, a known cluster discovery type and exactly one TLS trust
source), each JWT location exactly one of header, query param or cookie with a name,
and a forwarding header name.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any, Iterator

from linter.constraints import Context, Violation, checks
from linter.constraints.entries_common import go_duration, is_set, mapping, quote, text

DISCOVERY_TYPES = ("STRICT_DNS", "STATIC", "LOGICAL_DNS", "EDS", "ORIGINAL_DST")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@checks("entry-jwt-provider")
def jwt_provider(data: Any, context: Context) -> Iterator[Violation]:
    if not isinstance(data, dict):
        return
    if not text(data, "Name"):
        yield Violation(
            "missing",
            ("Name",),
            "Name is required",
            fix="name the provider",
            anchor=("Name",) if "Name" in data else (),
        )
        return
    keyset = mapping(data, "JSONWebKeySet")
    if "JSONWebKeySet" not in data:
        yield Violation(
            "missing",
            ("JSONWebKeySet",),
            "JSONWebKeySet is required",
            fix="set JSONWebKeySet { Local { ... } } or JSONWebKeySet { Remote { URI = ... } }",
            anchor=(),
        )
    elif keyset is not None:
        found = _keyset(keyset)
        if found is not None:
            yield found
    locations = data.get("Locations")
    for index, location in enumerate(locations if isinstance(locations, list) else []):
        if isinstance(location, dict):
            found = _location(index, location)
            if found is not None:
                yield found
    forwarding = mapping(data, "Forwarding")
    if forwarding is not None and not text(forwarding, "HeaderName"):
        yield Violation(
            "missing",
            ("Forwarding", "HeaderName"),
            "Header name required for forwarding config",
            fix="set Forwarding.HeaderName",
            anchor=("Forwarding",),
        )


def _exactly_one(mapping_: dict, *fields: str) -> bool:
    return sum(1 for f in fields if f in mapping_ and mapping_[f] is not None) == 1


def _keyset(keyset: dict) -> Violation | None:
    path = ("JSONWebKeySet",)
    if not _exactly_one(keyset, "Local", "Remote"):
        return Violation(
            "conflict" if "Local" in keyset else "missing",
            path,
            "must specify exactly one of Local or Remote JSON Web key set",
            fix="keep either Local or Remote",
        )
    remote = mapping(keyset, "Remote")
    if remote is not None:
        return _remote(remote)
    local = mapping(keyset, "Local") or {}
    has_file, jwks = is_set(local.get("Filename")), text(local, "JWKS")
    if has_file == bool(jwks):
        return Violation(
            "conflict" if has_file else "missing",
            path + ("Local",),
            "must specify exactly one of String or filename for local keyset",
            fix="keep either JWKS (an inline base64 key set) or Filename",
        )
    if jwks:
        try:
            base64.b64decode(jwks.replace("\r", "").replace("\n", ""), validate=True)
        except (binascii.Error, ValueError):
            return Violation(
                "value",
                path + ("Local", "JWKS"),
                "JWKS must be valid base64 encoded string",
                fix="base64-encode the JSON Web Key Set",
            )
    return None


def _remote(remote: dict) -> Violation | None:
    path = ("JSONWebKeySet", "Remote")
    uri = text(remote, "URI")
    if not uri:
        return Violation(
            "missing", path + ("URI",), "Remote JWKS URI is required", fix="set URI to the JWKS endpoint", anchor=path
        )
    if _CONTROL.search(uri) or not (_SCHEME.match(uri) or uri.startswith("/")):
        return Violation(
            "value",
            path + ("URI",),
            f"Remote JWKS URI is invalid: parse {quote(uri)}: invalid URI for request, uri: {uri}",
            fix="use an absolute URI such as https://example.com/.well-known/jwks.json",
        )
    backoff = mapping(remote, "RetryPolicy", "RetryPolicyBackOff")
    if backoff is not None:
        base, most = go_duration(backoff.get("BaseInterval")) or 0, go_duration(backoff.get("MaxInterval")) or 0
        if most != 0 and base > most:
            return Violation(
                "value",
                path + ("RetryPolicy", "RetryPolicyBackOff", "MaxInterval"),
                "retry policy backoff's MaxInterval should be greater or equal to BaseInterval",
                fix="raise MaxInterval to at least BaseInterval",
            )
    cluster = mapping(remote, "JWKSCluster")
    if cluster is not None:
        return _cluster(cluster)
    return None


def _cluster(cluster: dict) -> Violation | None:
    path = ("JSONWebKeySet", "Remote", "JWKSCluster")
    kind = text(cluster, "DiscoveryType")
    if kind and kind not in DISCOVERY_TYPES:
        return Violation(
            "value",
            path + ("DiscoveryType",),
            f"unsupported jwks cluster discovery type: {quote(kind)}",
            fix="use one of " + ", ".join(DISCOVERY_TYPES),
        )
    certs = mapping(cluster, "TLSCertificates")
    if certs is None:
        return None
    if not _exactly_one(certs, "CaCertificateProviderInstance", "TrustedCA"):
        return Violation(
            "conflict" if certs else "missing",
            path + ("TLSCertificates",),
            "must specify exactly one of: CaCertificateProviderInstance or TrustedCA for JKWS' TLSCertificates",
            fix="keep either CaCertificateProviderInstance or TrustedCA",
        )
    trusted = mapping(certs, "TrustedCA")
    if trusted is not None:
        fields = ("Filename", "EnvironmentVariable", "InlineString", "InlineBytes")
        if sum(1 for f in fields if is_set(trusted.get(f))) != 1:
            return Violation(
                "value",
                path + ("TLSCertificates", "TrustedCA"),
                "must specify exactly one of: Filename, EnvironmentVariable, InlineString or InlineBytes for JWKS' TrustedCA",
                fix="keep exactly one of Filename, EnvironmentVariable, InlineString or InlineBytes",
            )
    return None


def _location(index: int, location: dict) -> Violation | None:
    path = ("Locations", index)
    kinds = [k for k in ("Header", "QueryParam", "Cookie") if k in location and location[k] is not None]
    if len(kinds) != 1:
        return Violation(
            "conflict" if kinds else "missing",
            path,
            "must set exactly one of: JWT location header, query param or cookie",
            fix="split the location into one location per header, query param or cookie",
        )
    kind = kinds[0]
    inner = location[kind] if isinstance(location[kind], dict) else {}
    if not text(inner, "Name"):
        what = {"Header": "header", "QueryParam": "query param", "Cookie": "cookie"}[kind]
        return Violation(
            "missing",
            path + (kind, "Name"),
            f"JWT location {what} name must be specified",
            fix=f"set {kind}.Name",
            anchor=path + (kind,),
        )
    return None
