"""consul-k8s webhooks: ProxyDefaults (``proxydefaults_types.go`` ``Validate``).

The enum checks (mesh gateway mode, mutual TLS mode, access log type, expose
protocol, failover policy and locality modes) are the schema's
(``schemas/crd-proxydefaults.json``); the rest is here.
"""

from __future__ import annotations

import json
from typing import Any, Iterator

from linter.constraints import Context, Violation, checks
from linter.constraints.k8s import SPEC, invalid, invalid_absent, obj, text
from linter.constraints.k8s_defaults import envoy_extensions, expose_paths, map_value, proxy_mode, transparent_proxy

LOG_TYPES = ("", "stdout", "stderr", "file")


def _no_constant(name: str) -> Any:
    raise ValueError(name)  # Go's encoding/json has no NaN or Infinity


def valid_json(value: str) -> bool:
    try:
        json.loads(value, parse_constant=_no_constant)
    except ValueError:
        return False
    return True


def access_logs(data: Any) -> Iterator[Violation]:
    """``AccessLogs.validate``: it stops at the first problem, as Go's does (an unknown
    type is the schema's enum)."""
    spec = obj(data.get("spec"))
    if not isinstance(spec.get("accessLogs"), dict):
        return
    logs = spec["accessLogs"]
    path = SPEC + ("accessLogs",)
    kind, file = text(logs.get("type")), text(logs.get("path"))
    if kind not in LOG_TYPES:
        return
    if kind == "file" and file == "":
        detail = "path must be specified when using file type access logs"
        if "path" in logs:
            yield invalid(data, path + ("path",), "spec.accessLogs.path", file, detail, kind="missing", fix="set path")
        else:
            yield invalid_absent(data, path, "path", "spec.accessLogs.path", "", detail, fix="set path")
        return
    json_format, text_format = text(logs.get("jsonFormat")), text(logs.get("textFormat"))
    if json_format and text_format:
        detail = "cannot specify both access log jsonFormat and textFormat"
        yield invalid(
            data,
            path + ("textFormat",),
            "spec.accessLogs.textFormat",
            text_format,
            detail,
            kind="conflict",
            fix="keep one of jsonFormat and textFormat",
        )
        return
    if kind != "file" and file:
        detail = "path is only valid for file type access logs"
        yield invalid(
            data, path + ("path",), "spec.accessLogs.path", file, detail, fix='remove path or set type "file"'
        )
        return
    if json_format and not valid_json(json_format):
        yield invalid(
            data, path + ("jsonFormat",), "spec.accessLogs.jsonFormat", json_format, "invalid access log json"
        )


def config(data: Any) -> Iterator[Violation]:
    """``validateConfig``: ``spec.config`` (a json.RawMessage) decodes into a map."""
    spec = obj(data.get("spec"))
    if "config" not in spec:
        return
    problem = map_value(spec["config"])
    if problem is not None:
        value = spec["config"]
        shown = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
        yield invalid(data, SPEC + ("config",), "spec.config", shown, problem, fix="write config as a map")


@checks("crd-proxydefaults")
def proxy_defaults(data: Any, context: Context) -> Iterator[Violation]:
    """``ProxyDefaults.Validate`` (the parts the schema does not hold)."""
    if not isinstance(data, dict):
        return
    yield from transparent_proxy(data)
    yield from proxy_mode(data)
    yield from config(data)
    yield from access_logs(data)
    yield from expose_paths(data)
    yield from envoy_extensions(data)
