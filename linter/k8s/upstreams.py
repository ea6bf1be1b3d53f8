"""The ``consul.hashicorp.com/connect-service-upstreams`` annotation, parsed exactly as
consul-k8s's endpoints controller parses it (``processUpstreams``), so that the linter
sees the same upstreams (and the same errors) as the injector.

Why a re-implementation rather than a regular expression: the grammar depends on the
consul-k8s version (option strings only exist from v2.0.0), on whether Consul
namespaces or admin partitions are enabled (which changes how dots are read), and has
quirks that decide whether a pod registers at all (a bare ``svc.ns`` silently becoming
a service name, Go integer literals for ports, the unlabelled form never carrying a
peer). Facts: shared/reference/consul-k8s-semantics.md §2.

Every part keeps its character offsets within the annotation string (``start`` and
``end``, end exclusive) so that findings can point at the part of the annotation value
that is wrong; :func:`part_span` turns offsets into a file span when the scalar allows.

Usage::

    for up in parse_upstreams(text, version=(2, 0, 3), namespaces=False):
        if up.error:  up.error.message, up.error.start, up.error.end
        else:         up.service.value, up.peer and up.peer.value, up.local_port
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Collection
from urllib.parse import unquote_plus

from linter.nodes import Scalar, Span

ANNOTATION = "consul.hashicorp.com/connect-service-upstreams"

#: consul-k8s version from which option strings (``?mesh_gateway_mode=…``), trimmed
#: entries and hard port errors apply (commit 8ba8a842b, first in v2.0.0).
V2 = (2, 0, 0)

# Option keys accepted by parseUpstreamOptionString, by canonical name.
_OPTION_KEYS = {
    "destination_port": ("destination_port", "destination-port", "destinationPort", "port"),
    "local_bind_address": ("local_bind_address", "local-bind-address", "localBindAddress"),
    "mesh_gateway_mode": ("mesh_gateway_mode", "mesh-gateway-mode", "meshGatewayMode"),
    "datacenter": ("datacenter", "dc"),
}
_CANONICAL = {alias: name for name, aliases in _OPTION_KEYS.items() for alias in aliases}
MESH_GATEWAY_MODES = ("none", "local", "remote")
#: A Kubernetes container port name (IANA_SVC_NAME): what PortValue may look up.
_PORT_NAME = re.compile(r"^(?=.{1,15}$)(?=.*[a-z])[a-z0-9]([a-z0-9-]*[a-z0-9])?$")


@dataclass(frozen=True)
class Part:
    """One piece of an upstream with its offsets in the annotation string."""

    value: str
    start: int
    end: int


@dataclass(frozen=True)
class UpstreamError:
    """Why the injector rejects an entry. ``exact`` tells the injector's own message
    (``upstream structured incorrectly: …``) from a description of a failure that has
    no message (a v1 panic, a v1 entry silently dropped)."""

    message: str
    start: int
    end: int
    exact: bool = True
    #: "structure", "port", "option", "mesh-gateway-mode", "panic", "dropped"
    reason: str = "structure"


@dataclass
class UpstreamAnnotation:
    """One comma-separated entry of the annotation.

    ``form`` is ``labeled`` (``svc.svc.peer1.peer:1234``), ``unlabeled``
    (``svc.ns.part:1234:dc1``) or ``prepared_query``. The destination fields are
    None when the entry does not set them. ``error`` is set when the injector rejects
    the entry (HEAD: the whole pod's registration fails) or, for v1, drops it.
    """

    entry: Part
    form: str
    service: Part | None = None
    namespace: Part | None = None
    partition: Part | None = None
    peer: Part | None = None
    datacenter: Part | None = None
    prepared_query: Part | None = None
    port: Part | None = None
    local_port: int | None = None
    destination_port: Part | None = None
    mesh_gateway_mode: Part | None = None
    local_bind_address: Part | None = None
    options: dict[str, Part] = field(default_factory=dict)
    #: The text before the first ``:`` (service and labels), trimmed.
    target: Part | None = None
    #: Labels the injector ignored (a ``.svc.ns`` dotted name with namespaces and
    #: partitions off becomes the service name): the source of "looks like a peer but
    #: is not" findings.
    error: UpstreamError | None = None

    @property
    def start(self) -> int:
        return self.entry.start

    @property
    def end(self) -> int:
        return self.entry.end


def _part(text: str, start: int, end: int, trim: bool = True) -> Part:
    """The substring text[start:end], whitespace-trimmed like Go's TrimSpace, with the
    trimmed offsets (so a finding underlines the word, not the blanks)."""
    if trim:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
    return Part(text[start:end], start, end)


def _split(text: str, start: int, end: int, sep: str, limit: int = 0) -> list[tuple[int, int]]:
    """Go's strings.Split / SplitN (limit > 0) over text[start:end], as offset pairs."""
    out: list[tuple[int, int]] = []
    pos = start
    while limit <= 0 or len(out) < limit - 1:
        i = text.find(sep, pos, end)
        if i < 0:
            break
        out.append((pos, i))
        pos = i + len(sep)
    out.append((pos, end))
    return out


def go_parse_int32(s: str) -> int | None:
    """``strconv.ParseInt(s, 0, 32)``: Go literal prefixes (0x, 0o, 0b, a leading 0
    means octal), ``_`` separators between digits, an optional sign; None on error."""
    if not s:
        return None
    body, sign = s, 1
    if body[0] in "+-":
        sign = -1 if body[0] == "-" else 1
        body = body[1:]
    if not body:
        return None
    base, digits = 10, body
    if body[0] == "0":
        low = body[1:2].lower()
        if len(body) >= 3 and low in ("b", "o", "x"):
            base, digits = {"b": 2, "o": 8, "x": 16}[low], body[2:]
        else:
            base, digits = 8, body[1:]
    if not _underscores_ok(body):
        return None
    value = 0
    for ch in digits:
        if ch == "_":
            continue
        d = int(ch, 16) if ch in "0123456789abcdefABCDEF" else 99
        if d >= base:
            return None
        value = value * base + d
    value *= sign
    if not -(2**31) <= value <= 2**31 - 1:
        return None
    return value


def _underscores_ok(s: str) -> bool:
    """Go's underscoreOK: each ``_`` sits between digits (a base prefix counts)."""
    saw, i, hexa = "^", 0, False
    if len(s) >= 2 and s[0] == "0" and s[1].lower() in "box":
        i, saw, hexa = 2, "0", s[1].lower() == "x"
    for ch in s[i:]:
        if ch.isdigit() or (hexa and ch.lower() in "abcdef"):
            saw = "0"
        elif ch == "_":
            if saw != "0":
                return False
            saw = "_"
        else:
            if saw == "_":
                return False
            saw = "!"
    return saw != "_"


def port_value(text: str, port_names: Collection[str] | None) -> tuple[bool, int | None]:
    """common.PortValue: a named container port first, else a Go integer literal.
    Returns (acceptable, number). With ``port_names`` None (the containers are not
    known) a syntactically valid port name is accepted without a number."""
    if port_names is not None and text in port_names:
        return True, None
    number = go_parse_int32(text)
    if number is not None:
        return number > 0, number
    if port_names is None and _PORT_NAME.match(text):
        return True, None
    return False, None


def parse_upstreams(
    text: str,
    version: tuple[int, ...] | None = None,
    namespaces: bool = False,
    partitions: bool = False,
    port_names: Collection[str] | None = None,
) -> list[UpstreamAnnotation]:
    """:func:`parse_annotation`, remembered: the graph and PL603 read every workload's
    annotation, and the language server reads them again after each edit (half of a
    re-check at 10,000 files). A pure function of its arguments; the entries are
    shared, never changed by their readers (tests/test_k8s.py compares with a fresh parse)."""
    key = (
        text,
        None if version is None else tuple(version),
        bool(namespaces),
        bool(partitions),
        None if port_names is None else frozenset(port_names),
    )
    found = _PARSED.get(key)
    if found is None:
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        found = _PARSED[key] = parse_annotation(text, version, namespaces, partitions, port_names)
    return list(found)


_PARSED: dict[tuple, list[UpstreamAnnotation]] = {}
_PARSED_MAX = 100_000


def parse_annotation(
    text: str,
    version: tuple[int, ...] | None = None,
    namespaces: bool = False,
    partitions: bool = False,
    port_names: Collection[str] | None = None,
) -> list[UpstreamAnnotation]:
    """Parse the annotation value ``text`` into its upstreams.

    ``version`` is the consul-k8s version (None: the current grammar, v2.0+);
    ``namespaces``/``partitions`` are ``global.enableConsulNamespaces`` and
    ``global.adminPartitions.enabled`` (they change how dots are read);
    ``port_names`` the pod's container port names, or None when unknown.
    An empty annotation has no upstreams (the injector skips it).
    """
    if not text:
        return []
    v2 = version is None or tuple(version) >= V2
    out = []
    for start, end in _split(text, 0, len(text), ","):
        entry = _part(text, start, end, trim=v2)
        out.append(_entry(text, entry, v2, namespaces or partitions, port_names))
    return out


def _entry(text: str, entry: Part, v2: bool, ns_or_ap: bool, port_names: Collection[str] | None) -> UpstreamAnnotation:
    parts = _split(text, entry.start, entry.end, ":", 3)
    target = _part(text, *parts[0])
    pieces = _split(text, parts[0][0], parts[0][1], ".")
    labeled = len(pieces) >= 2 and text[pieces[1][0] : pieces[1][1]] == "svc"
    form = "prepared_query" if target.value == "prepared_query" else "labeled" if labeled else "unlabeled"
    up = UpstreamAnnotation(entry, form, target=target)
    quoted = entry.value

    def fail(message: str, where: Part, reason: str = "structure", exact: bool = True) -> UpstreamAnnotation:
        up.error = UpstreamError(message, where.start, where.end, exact, reason)
        return up

    structured = f"upstream structured incorrectly: {quoted}"
    if form == "unlabeled":
        if ns_or_ap:
            names = _split(text, parts[0][0], parts[0][1], ".", 3)
            up.service = _part(text, *names[0])
            if len(names) > 1:
                up.namespace = _part(text, *names[1])
            if len(names) > 2:
                up.partition = _part(text, *names[2])
        else:
            up.service = target
    elif form == "labeled":
        up.service = _part(text, *pieces[0])
    need = 3 if form == "prepared_query" else 2
    if len(parts) < need:
        if not v2:
            return fail(
                f"upstream {quoted!r} has no local port: consul-k8s v1 indexes past the end of it and the endpoints controller panics",
                entry,
                "panic",
                exact=False,
            )
        return fail(f"upstream {quoted!r} has no local port: expected <service>:<port>", entry, exact=False)
    if form == "prepared_query":
        up.prepared_query = _part(text, *parts[1])
        port = up.port = _part(text, *parts[2])
        if v2 and not up.prepared_query.value:
            return fail(structured, entry)
    else:
        port = up.port = _part(text, *parts[1])
    ok, number = port_value(port.value, port_names)
    up.local_port = number if ok else None
    if not ok:
        if v2:
            return fail(f'invalid upstream local bind port "{port.value}" in "{quoted}"', port, "port")
        return fail(
            f'invalid local port "{port.value}": consul-k8s v1 registers an empty upstream in place of {quoted!r}',
            port,
            "dropped",
            exact=False,
        )
    if form == "prepared_query":
        return up
    extra = _part(text, *parts[2]) if len(parts) > 2 else None
    if form == "labeled":
        if not _labeled(text, up, pieces, ns_or_ap):
            return fail(structured, entry)
        if extra is not None and v2 and extra.value:
            if any(c in extra.value for c in "=&?"):
                if not _options(text, up, extra, structured, fail):
                    return up
            else:
                up.destination_port = extra
    else:
        if extra is not None and extra.value:
            if not v2:
                up.datacenter = extra
            elif "?" in extra.value:
                q = text.index("?", extra.start, extra.end)
                if q > extra.start:
                    up.datacenter = _part(text, extra.start, q)
                if not _options(text, up, Part(text[q : extra.end], q, extra.end), structured, fail):
                    return up
            elif "=" in extra.value or "&" in extra.value:
                if not _options(text, up, extra, structured, fail):
                    return up
            else:
                up.datacenter = extra
    dc_option = up.options.get("datacenter")
    if dc_option is not None:
        if up.datacenter is not None and up.datacenter.value != dc_option.value:
            return fail(structured, entry)
        up.datacenter = up.datacenter or dc_option
    return up


def _labeled(text: str, up: UpstreamAnnotation, pieces: list[tuple[int, int]], ns_or_ap: bool) -> bool:
    """The ``.svc``/``.ns``/``.peer``/``.ap``/``.dc`` label rules; False when the
    injector answers "upstream structured incorrectly"."""
    got = [_part(text, s, e) for s, e in pieces]
    if ns_or_ap:
        if len(got) not in (2, 4, 6):
            return False
        if len(got) >= 4:
            if got[3].value != "ns":
                return False
            up.namespace = got[2]
        if len(got) == 6:
            label = {"peer": "peer", "ap": "partition", "dc": "datacenter"}.get(got[5].value)
            if label is None:
                return False
            setattr(up, label, got[4])
        return True
    if len(got) not in (2, 4):
        return False
    if len(got) == 4:
        label = {"peer": "peer", "dc": "datacenter"}.get(got[3].value)
        if label is None:
            return False
        setattr(up, label, got[2])
    return True


def _options(text: str, up: UpstreamAnnotation, extra: Part, structured: str, fail) -> bool:
    """parseUpstreamOptionString: ``?`` stripped, ``;`` read as ``&``, url.ParseQuery.
    Records options on ``up`` or sets its error and returns False."""
    start = extra.start + 1 if extra.value.startswith("?") else extra.start
    for s, e in _split(text, start, extra.end, "&") if start < extra.end else []:
        for s2, e2 in _split(text, s, e, ";"):
            if s2 == e2:
                continue
            key_end = text.find("=", s2, e2)
            k_end = key_end if key_end >= 0 else e2
            if not _valid_escapes(text[s2:e2]):
                fail(structured, up.entry)
                return False
            key = unquote_plus(text[s2:k_end], errors="replace")
            value = unquote_plus(text[k_end + 1 : e2], errors="replace") if key_end >= 0 else ""
            canonical = _CANONICAL.get(key)
            if canonical is None:
                fail(
                    f'unsupported upstream option "{key}" in "{up.entry.value}"',
                    Part(text[s2:k_end], s2, k_end),
                    "option",
                )
                return False
            if not value:
                continue
            part = Part(value, k_end + 1, e2)
            up.options[canonical] = part
            if canonical == "mesh_gateway_mode":
                if value not in MESH_GATEWAY_MODES:
                    fail(
                        f'invalid upstream mesh gateway mode "{value}" in "{up.entry.value}"', part, "mesh-gateway-mode"
                    )
                    return False
                up.mesh_gateway_mode = part
            elif canonical == "destination_port":
                up.destination_port = part
            elif canonical == "local_bind_address":
                up.local_bind_address = part
    return True


def _valid_escapes(s: str) -> bool:
    """url.ParseQuery rejects a ``%`` not followed by two hex digits."""
    return re.search(r"%(?![0-9a-fA-F]{2})", s) is None


def part_span(scalar: Scalar, text: str, start: int, end: int) -> Span:
    """The file span of text[start:end] inside ``scalar`` when the scalar is on one
    line and its source width matches the value (plain or simply quoted, no escapes);
    otherwise the whole scalar, which is still the right value node."""
    span = scalar.span
    if span.line != span.end_line:
        return span
    width = span.end_col - span.col
    offset = 0
    if width == len(text) + 2 and scalar.quoted:
        offset = 1
    elif width != len(text):
        return span
    return Span(span.line, span.col + offset + start, span.line, span.col + offset + max(end, start + 1))


def unlabeled_peer_hint(up: UpstreamAnnotation) -> Part | None:
    """The piece of an unlabelled entry written as if it named a peer
    (``api.peer1.peer:9091``, ``api.svc-less.peer``): the unlabelled form has no peer
    field, so the injector reads it as a service (or namespace/partition) name and
    the upstream never crosses the peering."""
    if up.form != "unlabeled" or up.target is None:
        return None
    pieces = up.target.value.split(".")
    if len(pieces) >= 2 and pieces[-1].strip() == "peer":
        return up.target
    return None


def target_with_peer(target: str, service: str, peer: str, ns_or_ap: bool) -> str | None:
    """The target of an annotation entry (the text before its first ``:``) rewritten to
    reach ``service`` in ``peer``, or None when that is not one plain rewrite.
    ``ns_or_ap``: Consul namespaces or admin partitions are on in the install (then a
    labelled entry names its namespace: ``svc.svc.NS.ns.PEER.peer``).

    Only the labelled form carries a peer. Without namespaces, ``service`` and
    ``service.svc`` become ``service.svc.PEER.peer``; with them, a labelled
    ``service.svc.NS.ns`` gains ``.PEER.peer`` and an unlabelled ``service.NS`` (NS read
    as the namespace) becomes ``service.svc.NS.ns.PEER.peer``, while a bare ``service``
    (the namespace left to the injector) has no labelled spelling that is surely the
    same: None. A partition, datacenter or prepared query cannot be combined with a
    peer in one entry: None."""
    if not service or not peer or any(c in peer for c in ".:,? ") or "." in service:
        return None
    pieces = target.split(".")
    if pieces[0] != service:
        return None
    rest = pieces[1:]
    if not ns_or_ap:
        return f"{service}.svc.{peer}.peer" if rest in ([], ["svc"]) else None
    if len(rest) == 3 and rest[0] == "svc" and rest[2] == "ns" and rest[1]:
        return f"{service}.svc.{rest[1]}.ns.{peer}.peer"
    if len(rest) == 1 and rest[0] not in ("", "svc"):
        return f"{service}.svc.{rest[0]}.ns.{peer}.peer"
    return None
