"""consul-k8s webhooks: JWTProvider (``JWTProvider.Validate`` in
``control-plane/api/v1alpha1/jwtprovider_types.go``): a JSON Web Key Set that is
exactly one of local (exactly one of an inline base64 ``jwks`` or a ``filename``) or
remote (a request URI, a retry back-off whose ``maxInterval`` is not below its
``baseInterval``, a known cluster discovery type, exactly one TLS trust source and
exactly one trusted CA source), each JWT location exactly one of header, query param
or cookie with a name, and a forwarding header name. ``Validate`` ignores the
webhook's flags: a JWT provider is a global (partition-wide) entry.

Every problem is reported (Go appends them all to one ``field.ErrorList``), except
where a Go ``validate`` returns early. Struct values inside messages are marshalled
the way ``json.Marshal`` prints the Go types (field order, ``omitempty``, durations).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any, Iterator

from linter.constraints import Context, Violation, checks
from linter.constraints.k8s import SPEC, invalid, invalid_absent, obj, seq, text
from linter.constraints.k8s_resolver import duration_ns

DISCOVERY_TYPES = ("STATIC", "STRICT_DNS", "LOGICAL_DNS", "EDS", "ORIGINAL_DST")

#: Go struct fields in declaration order: (JSON key, kind) where kind is "str", "int",
#: "bool" (all omitempty), "dur" (metav1.Duration: a struct, always marshalled) or the
#: name of a nested struct (a pointer, omitempty).
_STRUCTS: dict[str, tuple[tuple[str, str], ...]] = {
    "keyset": (("local", "local"), ("remote", "remote")),
    "local": (("jwks", "str"), ("filename", "str")),
    "remote": (
        ("uri", "str"),
        ("requestTimeoutMs", "int"),
        ("cacheDuration", "dur"),
        ("fetchAsynchronously", "bool"),
        ("useSNI", "bool"),
        ("retryPolicy", "retry"),
        ("jwksCluster", "cluster"),
    ),
    "retry": (("numRetries", "int"), ("retryPolicyBackOff", "backoff")),
    "backoff": (("baseInterval", "dur"), ("maxInterval", "dur")),
    "cluster": (("discoveryType", "str"), ("tlsCertificates", "certs"), ("connectTimeout", "dur")),
    "certs": (("caCertificateProviderInstance", "instance"), ("trustedCA", "trusted")),
    "instance": (("instanceName", "str"), ("certificateName", "str")),
    "trusted": (("filename", "str"), ("environmentVariable", "str"), ("inlineString", "str"), ("inlineBytes", "str")),
    "location": (("header", "header"), ("queryParam", "named"), ("cookie", "named")),
    "header": (("name", "str"), ("valuePrefix", "str"), ("forward", "bool")),
    "named": (("name", "str"),),
}
#: ``UseSNI`` has the tag ``json:",omitempty"``: Go marshals it under its field name.
_GO_KEY = {"useSNI": "UseSNI"}


@checks("crd-jwtprovider")
def jwt_provider(data: Any, context: Context) -> Iterator[Violation]:
    data = obj(data)
    spec = obj(data.get("spec"))
    yield from _keyset(data, spec)
    for i, location in enumerate(seq(spec.get("locations"))):
        yield from _location(data, i, location)
    forwarding = spec.get("forwarding")
    if isinstance(forwarding, dict) and not text(forwarding.get("headerName")):
        detail = "JWT forwarding header name is required"
        yield invalid_absent(
            data, SPEC + ("forwarding",), "headerName", "spec.forwarding.HeaderName", "", detail, fix="set headerName"
        )


def _keyset(data: dict, spec: dict) -> Iterator[Violation]:
    path, where = SPEC + ("jsonWebKeySet",), "spec.jsonWebKeySet"
    keyset = spec.get("jsonWebKeySet")
    if not isinstance(keyset, dict):
        if keyset is None:
            fix = "set jsonWebKeySet.local or jsonWebKeySet.remote"
            yield invalid_absent(data, SPEC, "jsonWebKeySet", where, None, "jsonWebKeySet is required", fix=fix)
        return
    local, remote = keyset.get("local"), keyset.get("remote")
    if (local is not None) + (remote is not None) != 1:
        detail = "exactly one of 'local' or 'remote' is required"
        kind = "conflict" if local is not None else "missing"
        yield invalid(
            data, path, where, _marshal(keyset, "keyset"), detail, kind=kind, fix="keep either local or remote"
        )
        return
    if isinstance(local, dict):
        yield from _local(data, local)
    if isinstance(remote, dict):
        yield from _remote(data, remote)


def _local(data: dict, local: dict) -> Iterator[Violation]:
    path, where = SPEC + ("jsonWebKeySet", "local"), "spec.jsonWebKeySet.local"
    jwks, filename = text(local.get("jwks")), text(local.get("filename"))
    if bool(jwks) + bool(filename) != 1:
        detail = "Exactly one of 'jwks' or 'filename' is required"
        kind = "conflict" if jwks else "missing"
        fix = "keep either jwks (an inline base64 key set) or filename"
        yield invalid(data, path, where, _marshal(local, "local"), detail, kind=kind, fix=fix)
        return
    if jwks and not _base64(jwks):
        detail = "JWKS must be a valid base64-encoded string"
        yield invalid(data, path + ("jwks",), where + ".jwks", jwks, detail, fix="base64-encode the JSON Web Key Set")


def _remote(data: dict, remote: dict) -> Iterator[Violation]:
    path, where = SPEC + ("jsonWebKeySet", "remote"), "spec.jsonWebKeySet.remote"
    uri = text(remote.get("uri"))
    if not uri:
        fix = "set uri to the JWKS endpoint"
        yield invalid_absent(data, path, "uri", where + ".uri", "", "remote JWKS URI is required", fix=fix)
    elif not request_uri(uri):
        fix = "use an absolute URI such as https://example.com/.well-known/jwks.json"
        yield invalid(data, path + ("uri",), where + ".uri", uri, "remote JWKS URI is invalid", fix=fix)
    backoff = obj(obj(remote.get("retryPolicy")).get("retryPolicyBackOff"))
    if backoff:
        base, most = duration_ns(backoff.get("baseInterval")) or 0, duration_ns(backoff.get("maxInterval")) or 0
        if most != 0 and base > most:
            detail = "maxInterval should be greater or equal to baseInterval"
            yield invalid(
                data,
                path + ("retryPolicy", "retryPolicyBackOff", "maxInterval"),
                where + ".retryPolicy.retryPolicyBackOff",
                _marshal(backoff, "backoff"),
                detail,
                fix="raise maxInterval to at least baseInterval",
            )
    cluster = remote.get("jwksCluster")
    if isinstance(cluster, dict):
        yield from _cluster(data, cluster)


def _cluster(data: dict, cluster: dict) -> Iterator[Violation]:
    path, where = SPEC + ("jsonWebKeySet", "remote", "jwksCluster"), "spec.jsonWebKeySet.remote.jwksCluster"
    kind = text(cluster.get("discoveryType"))
    if kind not in DISCOVERY_TYPES:
        detail, fix = "unsupported jwks cluster discovery type.", "use one of " + ", ".join(DISCOVERY_TYPES)
        if "discoveryType" in cluster:
            yield invalid(data, path + ("discoveryType",), where + ".discoveryType", kind, detail, fix=fix)
        else:
            yield invalid_absent(data, path, "discoveryType", where + ".discoveryType", "", detail, fix=fix)
    certs = cluster.get("tlsCertificates")
    if not isinstance(certs, dict):
        return
    path, where = path + ("tlsCertificates",), where + ".tlsCertificates"
    instance, trusted = certs.get("caCertificateProviderInstance"), certs.get("trustedCA")
    if (instance is not None) + (trusted is not None) != 1:
        detail = "exactly one of 'trustedCa' or 'caCertificateProviderInstance' is required"
        kind = "conflict" if trusted is not None else "missing"
        fix = "keep either trustedCA or caCertificateProviderInstance"
        yield invalid(data, path, where, _marshal(certs, "certs"), detail, kind=kind, fix=fix)
    if isinstance(trusted, dict):
        fields = ("filename", "environmentVariable", "inlineString", "inlineBytes")
        if sum(1 for f in fields if text(trusted.get(f))) != 1:
            detail = "exactly one of 'filename', 'environmentVariable', 'inlineString' or 'inlineBytes' is required"
            fix = "keep exactly one of filename, environmentVariable, inlineString or inlineBytes"
            yield invalid(
                data, path + ("trustedCA",), where + ".trustedCa", _marshal(trusted, "trusted"), detail, fix=fix
            )


def _location(data: dict, i: int, location: Any) -> Iterator[Violation]:
    path, where = SPEC + ("locations", i), f"spec.locations[{i}]"
    if location is None:
        yield invalid(data, path, where, None, "location must not be nil", fix="remove the empty location")
        return
    location = obj(location)
    kinds = [k for k in ("header", "queryParam", "cookie") if location.get(k) is not None]
    if len(kinds) != 1:
        detail = "exactly one of 'header', 'queryParam', or 'cookie' is required"
        kind = "conflict" if kinds else "missing"
        fix = "one location per header, query parameter or cookie"
        yield invalid(data, path, where, _marshal(location, "location"), detail, kind=kind, fix=fix)
        return
    key = kinds[0]
    if not text(obj(location.get(key)).get("name")):
        what = {"header": "header", "queryParam": "query parameter", "cookie": "cookie"}[key]
        yield invalid_absent(
            data,
            path + (key,),
            "name",
            f"{where}.{key}.name",
            "",
            f"JWT location {what} name is required",
            fix=f"set {key}.name",
        )


def _base64(value: str) -> bool:
    """``base64.StdEncoding.DecodeString``: the standard alphabet with padding; Go's
    decoder skips carriage returns and newlines."""
    try:
        base64.b64decode(value.replace("\r", "").replace("\n", ""), validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


_SCHEME_CHARS = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")
#: The ASCII a host may hold (Go's ``validEncoded``/``shouldEscape`` for hosts); every
#: non-ASCII character is allowed too. A set, not a regex: the character class
#: ``[...\u0080-\U0010ffff]`` cost 2 ms to compile on every run that loads this module.
_HOST_ASCII = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~!$&'()*+,;=:[]<>\"%")
_ESCAPES = re.compile(r"%(?![0-9A-Fa-f]{2})")


def request_uri(raw: str) -> bool:
    """Whether Go's ``url.ParseRequestURI`` accepts ``raw``: an absolute URI (a scheme,
    then an authority with a valid host and port, or an opaque part) or an absolute
    path, no control characters, only well-formed ``%`` escapes."""
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in raw):
        return False
    if raw == "*":
        return True
    scheme, rest = "", raw
    match = _SCHEME_CHARS.match(raw)
    if raw.startswith(":"):
        return False  # missing protocol scheme
    if match and raw[match.end() : match.end() + 1] == ":":
        scheme, rest = match.group(), raw[match.end() + 1 :]
    rest = rest.split("?", 1)[0]
    if not rest.startswith("/"):
        return bool(scheme)  # opaque (mailto:x) with a scheme; without one, not a request URI
    if scheme and rest.startswith("//"):
        authority, slash, path = rest[2:].partition("/")
        host = authority.rpartition("@")[2]
        if not _host(host):
            return False
        rest = slash + path
    return not _ESCAPES.search(rest)


def _host(host: str) -> bool:
    """``url.parseHost``: a bracketed IPv6 literal or a name, then an optional
    ``:port`` of digits; only characters a host may hold."""
    if host.startswith("["):
        end = host.rfind("]")
        if end < 0:
            return False
        port = host[end + 1 :]
    else:
        colon = host.rfind(":")
        port = host[colon:] if colon >= 0 else ""
    if port and not (port.startswith(":") and port[1:].isdigit() or port == ":"):
        return False
    return all(c in _HOST_ASCII or c >= "\x80" for c in host) and not _ESCAPES.search(host)


def _marshal(value: Any, struct: str) -> str:
    """``json.Marshal`` of a Go struct written as ``value`` (the document's mapping)."""
    return json.dumps(_go(value, struct), separators=(",", ":"), ensure_ascii=False)


def _go(value: Any, struct: str) -> dict:
    value = obj(value)
    out: dict = {}
    for key, kind in _STRUCTS[struct]:
        item = value.get(key)
        if kind == "dur":
            out[key] = go_duration(duration_ns(item) or 0)
        elif kind in ("str", "int", "bool"):
            if item not in (None, "", 0, False):
                out[_GO_KEY.get(key, key)] = item
        elif item is not None:
            out[key] = _go(item, kind)
    return out


def go_duration(ns: float) -> str:
    """``time.Duration.String``: ``0s``, ``890ns``, ``1.5ms``, ``1m30s``, ``1h0m0s``."""
    total = int(ns)
    if total == 0:
        return "0s"
    sign, u = ("-" if total < 0 else ""), abs(total)
    if u < 1_000_000_000:
        for unit, size in (("ns", 1), ("µs", 1_000), ("ms", 1_000_000)):
            if u < size * 1000:
                return sign + _frac(u, size) + unit
    seconds, u = _frac(u % 60_000_000_000, 1_000_000_000) + "s", u // 60_000_000_000
    if not u:
        return sign + seconds
    minutes, hours = u % 60, u // 60
    return sign + (f"{hours}h" if hours else "") + f"{minutes}m" + seconds


def _frac(value: int, size: int) -> str:
    whole, part = divmod(value, size)
    digits = str(part).rjust(len(str(size)) - 1, "0").rstrip("0") if size > 1 else ""
    return f"{whole}.{digits}" if digits else str(whole)
