"""The agent config builder's Connect CA checks (``agent/config/builder.go``
``validate``: the CA provider name and ``ca.Parse{Consul,Vault,AWS}CAConfig``, with
``structs.CommonCAProviderConfig.Validate``), the CA ``cluster_id``
(``RuntimeConfig.ConnectCAConfiguration``), bootstrap config entries without a kind,
and the agent's own health checks (``structs.CheckType.Validate``).

``ca_config`` is validated only for the provider the file names in ``ca_provider``
(the builder parses nothing for an unnamed provider); settings it leaves out take
the CA's defaults (leaf 72h, intermediate 8760h, root 87600h, an EC P-256 key).
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterator

from linter.constraints import Context, Violation, checks
from linter.constraints.agent_common import blocks, boolean, duration, find, integer

PROVIDERS = ("consul", "vault", "aws-pca")
HOUR = 3600.0
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def go_duration(seconds: float) -> str:
    """time.Duration.String()."""
    if seconds == 0:
        return "0s"
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    if seconds < 1:
        for unit, scale in (("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)):
            if seconds >= scale:
                return f"{sign}{_trim(seconds / scale)}{unit}"
    hours, rest = divmod(seconds, HOUR)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{sign}{int(hours)}h{int(minutes)}m{_trim(secs)}s"
    if minutes:
        return f"{sign}{int(minutes)}m{_trim(secs)}s"
    return f"{sign}{_trim(secs)}s"


def _trim(number: float) -> str:
    text = f"{number:.9f}".rstrip("0").rstrip(".")
    return text or "0"


def _fold(key: str) -> str:
    return key.replace("_", "").lower()


class _CAConfig:
    """ca_config read as mapstructure would (snake_case translated, names folded)."""

    def __init__(self, raw: dict, base: tuple) -> None:
        self.raw, self.base = raw, base
        self.keys = {_fold(str(k)): k for k in raw}

    def get(self, name: str) -> tuple[tuple, Any]:
        key = self.keys.get(_fold(name))
        return (self.base + (key,), self.raw[key]) if key is not None else (self.base, None)

    def ttl(self, name: str, default_hours: float) -> tuple[tuple, float | None]:
        path, value = self.get(name)
        if value is None:
            return path, default_hours * HOUR
        return path, duration(value)


def _common(ca: _CAConfig) -> Iterator[tuple[tuple, str]]:
    """structs.CommonCAProviderConfig.Validate: (path, message) of the first problem."""
    leaf_path, leaf = ca.ttl("LeafCertTTL", 72)
    inter_path, inter = ca.ttl("IntermediateCertTTL", 8760)
    root_path, root = ca.ttl("RootCertTTL", 87600)
    if leaf is None or inter is None or root is None:
        return  # not a duration string: the decoder's error, not this one
    if root < inter:
        yield (
            root_path,
            "root cert TTL is set and is not greater than intermediate cert ttl. "
            f"root cert ttl: {go_duration(root)}, intermediate cert ttl: {go_duration(inter)}",
        )
        return
    if leaf < HOUR:
        yield leaf_path, "leaf cert TTL must be greater or equal than 1h0m0s"
        return
    if leaf > 8760 * HOUR:
        yield leaf_path, "leaf cert TTL must be less than 8760h0m0s"
        return
    if inter < 3 * HOUR:
        yield inter_path, "Intermediate Cert TTL must be greater or equal than 3h"
        return
    if inter < 3 * leaf:
        yield (
            inter_path,
            f"Intermediate Cert TTL must be greater or equal than 3 * LeafCertTTL (>={go_duration(3 * leaf)}).",
        )
        return
    type_path, key_type = ca.get("PrivateKeyType")
    bits_path, bits_value = ca.get("PrivateKeyBits")
    key_type = "ec" if key_type is None else key_type
    bits = 256 if bits_value is None else integer(bits_value)
    if bits is None:
        return
    if key_type == "ec" and bits not in (224, 256, 384, 521):
        yield bits_path, "EC key length must be one of (224, 256, 384, 521) bits"
    elif key_type == "rsa" and bits not in (2048, 4096):
        yield bits_path, "RSA key length must be 2048 or 4096 bits"
    elif key_type not in ("ec", "rsa"):
        yield type_path, "private key type must be either 'ec' or 'rsa'"


def _provider(provider: str, ca: _CAConfig) -> Iterator[tuple[tuple, str]]:
    if provider == "consul":
        key_path, key = ca.get("PrivateKey")
        cert_path, cert = ca.get("RootCert")
        if not key and cert:
            yield cert_path, "must provide a private key when providing a root cert"
            return
        yield from _common(ca)
    elif provider == "vault":
        token_path, token = ca.get("Token")
        auth_path, auth = ca.get("AuthMethod")
        if not token and auth is None:
            yield ca.base, "must provide a Vault token or configure a Vault auth method"
            return
        if token and auth is not None:
            yield auth_path, "only one of Vault token or Vault auth method can be provided, but not both"
            return
        root_path, root = ca.get("RootPKIPath")
        if not root:
            yield root_path, "must provide a valid path to a root PKI backend"
            return
        inter_path, inter = ca.get("IntermediatePKIPath")
        if not inter:
            yield inter_path, "must provide a valid path for the intermediate PKI backend"
            return
        yield from _common(ca)
    elif provider == "aws-pca":
        problems = list(_common(ca))
        if problems:
            yield problems[0]
            return
        type_path, key_type = ca.get("PrivateKeyType")
        bits_path, bits_value = ca.get("PrivateKeyBits")
        key_type = "ec" if key_type is None else key_type
        bits = 256 if bits_value is None else integer(bits_value)
        if key_type == "rsa" and bits not in (2048, 4096):
            yield bits_path, f"AWS PCA only supports RSA key lengths 2048 and 4096, PrivateKeyBits of {bits} configured"
            return
        if key_type == "ec" and bits != 256:
            yield bits_path, f"AWS PCA only supports P256 EC curve, keyBits of {bits} configured"
            return
        if key_type not in ("ec", "rsa"):
            yield type_path, f"AWS PCA only supports P256 EC curve, or RSA 2048/4096. {key_type}, {bits} configured"
            return
        leaf_path, leaf = ca.ttl("LeafCertTTL", 72)
        if leaf is not None and leaf < 24 * HOUR:
            yield (
                leaf_path,
                "AWS PCA doesn't support certificates that are valid for less than 24 hours, "
                f"LeafTTL of {go_duration(leaf)} configured",
            )


@checks("agent-config")
def ca_provider(data: Any, context: Context) -> Iterator[Violation]:
    """connect.ca_provider is a provider the agent knows; its ca_config parses."""
    connect = data.get("connect")
    if not isinstance(connect, dict):
        return
    provider = connect.get("ca_provider")
    raw = connect.get("ca_config")
    if isinstance(provider, str) and provider and provider not in PROVIDERS:
        yield Violation(
            "value",
            ("connect", "ca_provider"),
            f"{provider} is not a valid CA provider",
            'use "consul", "vault" or "aws-pca"',
        )
        return
    if isinstance(raw, dict) and isinstance(provider, str) and provider:
        for path, message in _provider(provider, _CAConfig(raw, ("connect", "ca_config"))):
            yield Violation("value", path, message, "correct connect.ca_config for the " + provider + " provider")
    if isinstance(raw, dict) and boolean(connect.get("enabled")) is not False:
        key = next((k for k in raw if _fold(str(k)) == "clusterid"), None)
        value = raw.get(key) if key is not None else None
        if isinstance(value, str) and value and not UUID.match(value):
            yield Violation(
                "value",
                ("connect", "ca_config", key),
                "cluster_id was supplied but was not a valid UUID",
                "use a UUID, e.g. from `uuidgen`",
            )


@checks("agent-config")
def bootstrap_entries(data: Any, context: Context) -> Iterator[Violation]:
    """config_entries.bootstrap[i] needs a Kind (structs.DecodeConfigEntry)."""
    index = 0
    for path, entries in blocks(data, "config_entries"):
        for epath, entry in blocks(entries, "bootstrap"):
            kind = find(entry, "kind")[1]
            if kind is None or kind == "":
                yield Violation(
                    "missing",
                    ("config_entries",) + path[1:] + epath,
                    f"config_entries.bootstrap[{index}]: Payload does not contain a kind/Kind",
                    'add Kind = "<kind>" (e.g. "proxy-defaults") to the entry',
                    anchor=("config_entries",) + path[1:] + epath,
                )
            index += 1


_INTERVAL_KINDS = ("args", "scriptargs", "http", "tcp", "udp", "grpc", "h2ping", "osservice")


def _check_problem(check: dict) -> tuple[str | None, str | None]:
    """structs.CheckType.Validate: (problem, folded key it concerns)."""
    fields = {_fold(str(k)): v for k, v in check.items() if v is not None}
    interval_kind = any(fields.get(k) for k in _INTERVAL_KINDS)
    alias = bool(fields.get("aliasnode") or fields.get("aliasservice"))
    interval = duration(fields["interval"]) if "interval" in fields else 0.0
    ttl = duration(fields["ttl"]) if "ttl" in fields else 0.0
    if interval is None or ttl is None:
        return None, None  # an invalid duration: reported by its own error
    if interval > 0 and ttl > 0:
        return "Interval and TTL cannot both be specified", "ttl"
    if interval_kind and interval <= 0:
        return "Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or OSService checks", "interval"
    if interval_kind and alias:
        return "Interval cannot be set for Alias checks", "interval"
    if alias and ttl > 0:
        return "TTL must be not be set for Alias checks", "ttl"
    if not interval_kind and not alias and ttl <= 0:
        return "TTL must be > 0 for TTL checks", "ttl"
    return None, None


@checks("agent-config")
def agent_checks(data: Any, context: Context) -> Iterator[Violation]:
    """The agent's node checks (``check``/``checks``) validate as CheckType does."""
    for name in ("check", "checks"):
        for path, check in blocks(data, name):
            if any(isinstance(v, str) and ("{{" in v or "${" in v) for v in check.values()):
                continue
            problem, field = _check_problem(check)
            if problem is None:
                continue
            key = next((k for k in check if _fold(str(k)) == field), None)
            label = check.get("name") if isinstance(check.get("name"), str) else ""
            yield Violation(
                "value" if key is not None else "missing",
                path + ((key,) if key is not None else (field,)),
                f"check {json.dumps(label)}: {problem}",
                "give script/HTTP/TCP/UDP/gRPC/H2PING/OS-service checks an interval, TTL checks a ttl",
                anchor=None if key is not None else path,
            )
