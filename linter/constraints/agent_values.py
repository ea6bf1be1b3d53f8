"""The agent config builder's single-setting checks (``agent/config/builder.go``
``build`` and ``validate``): numeric limits, names, node metadata, the gossip key, UI
settings, the raft log store, DNS and request-limit modes.

Each check reads the one setting (or one block) it judges, as the file writes it;
a value the file does not write keeps Consul's default, which is valid.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any, Iterator
from urllib.parse import urlsplit

from linter.constraints import Context, Violation, checks
from linter.constraints.agent_common import block, boolean, find, integer, is_template, path_of, server_mode

BASIC_NAME = re.compile(r"^[a-z0-9_-]+$")
CONTENT_PATH = re.compile(r"^[A-Za-z0-9/_-]+$")
HAS_VERSION = re.compile(r"^/v\d+/$")
META_KEY = re.compile(r"^[a-zA-Z0-9_-]+$")
BASE64 = re.compile(r"[A-Za-z0-9+/=]")
#: consul.MaxRaftMultiplier
MAX_RAFT_MULTIPLIER = 10
UI_BOTH = (
    "Both the ui_config.enabled and ui_config.dir (or -ui and -ui-dir) were specified, please provide only one.\n"
    "If trying to use your own web UI resources, use ui_config.dir or the -ui-dir flag.\n"
    "The web UI is included in the binary so use ui_config.enabled or the -ui flag to enable it"
)


def _v(path: tuple, message: str, fix: str) -> Violation:
    return Violation("value", path, message, fix)


def _nested(data: dict, *names: str) -> tuple[tuple | None, Any]:
    """(path, value) of a setting inside blocks, e.g. ("dns_config", "udp_answer_limit")."""
    path: tuple = ()
    current: Any = data
    for name in names[:-1]:
        key, current = block(current, name)
        if current is None:
            return None, None
        path += path_of(key)
    key, value = find(current, names[-1])
    return (path + (key,), value) if key is not None and value is not None else (None, None)


#: (block, setting, message, minimum): integers the builder bounds from below.
NON_NEGATIVE = (
    (
        ("autopilot", "max_trailing_logs"),
        "autopilot.max_trailing_logs cannot be {}. Must be greater than or equal to zero",
    ),
    (
        ("dns_config", "udp_answer_limit"),
        "dns_config.udp_answer_limit cannot be {}. Must be greater than or equal to zero",
    ),
    (("dns_config", "a_record_limit"), "dns_config.a_record_limit cannot be {}. Must be greater than or equal to zero"),
)


@checks("agent-config")
def numbers(data: Any, context: Context) -> Iterator[Violation]:
    """Integer settings the builder bounds."""
    protocol = integer(data.get("raft_protocol"))
    if protocol is not None and protocol != 3:
        yield _v(
            ("raft_protocol",),
            f"raft_protocol version {protocol} is not supported by this version of Consul",
            "remove raft_protocol (3 is the only version)",
        )
    for names, message in NON_NEGATIVE:
        path, value = _nested(data, *names)
        number = integer(value)
        if path is not None and number is not None and number < 0:
            yield _v(path, message.format(number), f"set {'.'.join(names)} to zero or more")
    path, value = _nested(data, "performance", "raft_multiplier")
    number = integer(value)
    if path is not None and number is not None and not 1 <= number <= MAX_RAFT_MULTIPLIER:
        yield _v(
            path,
            f"performance.raft_multiplier cannot be {number}. Must be between 1 and {MAX_RAFT_MULTIPLIER}",
            "use a multiplier from 1 (production) to 10 (the most tolerant)",
        )
    size = integer(data.get("check_output_max_size"))
    if size is not None and size < 1:
        yield _v(
            ("check_output_max_size",),
            "check_output_max_size must be positive, to discard check output use the discard_check_output flag",
            "set a positive size, or discard_check_output = true",
        )
    for name in ("entry_fetch_max_burst", "entry_fetch_rate"):
        path, value = _nested(data, "cache", name)
        number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
        if path is not None and number is not None and number <= 0:
            shown = int(number) if float(number).is_integer() and name.endswith("burst") else number
            yield _v(path, f"cache.{name} must be strictly positive, was: {shown}", f"set cache.{name} above zero")


@checks("agent-config")
def data_dir(data: Any, context: Context) -> Iterator[Violation]:
    if data.get("data_dir") == "":
        yield _v(("data_dir",), "data_dir cannot be empty", 'set data_dir, e.g. "/opt/consul"')


def _alt_domain_ok(domain: str, datacenter: str) -> bool:
    dc = re.escape(datacenter)
    return not re.match(rf"^(service|connect|node|query|addr|{dc})\.({dc}\.)?", domain)


@checks("agent-config")
def alt_domain(data: Any, context: Context) -> Iterator[Violation]:
    """alt_domain must not start with a DNS query keyword or the datacenter."""
    domain = data.get("alt_domain")
    if not isinstance(domain, str) or not domain:
        return
    dc = data.get("datacenter")
    dc = dc.lower() if isinstance(dc, str) and dc else "dc1"
    if not _alt_domain_ok(domain, dc):
        yield _v(
            ("alt_domain",),
            f"alt_domain cannot start with {{service,connect,node,query,addr,{dc}}}",
            "use a domain that does not begin with a DNS query keyword or the datacenter name",
        )


def _meta_problem(key: str, value: Any) -> str | None:
    if key == "":
        return "Key cannot be blank"
    if not META_KEY.match(key):
        return "Key contains invalid characters"
    if len(key) > 128:
        return "Key is too long (limit: 128 characters)"
    if key.startswith("consul-"):
        return "Key prefix 'consul-' is reserved for internal use"
    if isinstance(value, str) and len(value) > 512:
        return "Value is too long (limit: 512 characters)"
    return None


@checks("agent-config")
def node_meta(data: Any, context: Context) -> Iterator[Violation]:
    """structs.ValidateNodeMetadata (no consul- prefix)."""
    meta = data.get("node_meta")
    if isinstance(meta, list) and len(meta) == 1:
        meta = meta[0]
    if not isinstance(meta, dict):
        return
    if len(meta) > 64:
        yield _v(
            ("node_meta",),
            "node_meta invalid: Node metadata cannot contain more than 64 key/value pairs",
            "keep at most 64 node_meta pairs",
        )
        return
    for key, value in meta.items():
        problem = _meta_problem(str(key), value)
        if problem:
            shown = value if isinstance(value, str) else json.dumps(value)
            yield _v(
                ("node_meta", key),
                f"node_meta invalid: Couldn't load metadata pair ('{key}', '{shown}'): {problem}",
                "use keys of letters, digits, '-' and '_' (at most 128), values of at most 512 characters",
            )
            return


def _base64_error(key: str) -> int | None:
    """The byte Go's base64.StdEncoding refuses in ``key`` (the first character outside
    the alphabet; the end for a key of the wrong length or padding); None when it decodes."""
    for i, char in enumerate(key):
        if char not in "\r\n" and not BASE64.match(char):
            return i
    try:
        base64.b64decode(key.replace("\r", "").replace("\n", ""), validate=True)
    except (binascii.Error, ValueError):
        return len(key)
    return None


@checks("agent-config")
def encrypt_key(data: Any, context: Context) -> Iterator[Violation]:
    key = data.get("encrypt")
    if not isinstance(key, str) or not key or is_template(key):
        return
    position = _base64_error(key)
    if position is not None:
        yield _v(
            ("encrypt",),
            f"encrypt has invalid key: illegal base64 data at input byte {position}",
            "use a key from `consul keygen` (32 bytes, base64)",
        )


def _http_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return urlsplit(value).scheme in ("http", "https")
    except ValueError:
        return False


def _absolute_path(value: Any) -> bool:
    """validateAbsoluteURLPath."""
    if not isinstance(value, str) or not value.startswith("/"):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return not (parts.scheme or parts.netloc or parts.query or parts.fragment or "%" in value or "?" in value)


@checks("agent-config")
def ui_config(data: Any, context: Context) -> Iterator[Violation]:
    """ui_config (and the deprecated ui, ui_dir, ui_content_path it falls back to)."""
    key, ui = block(data, "ui_config")
    base = path_of(key) if ui is not None else ("ui_config",)
    ui = ui or {}

    def setting(name: str, deprecated: str | None = None) -> tuple[tuple | None, Any]:
        skey, value = find(ui, name)
        if skey is not None and value is not None:
            return base + (skey,), value
        if deprecated and data.get(deprecated) is not None:
            return (deprecated,), data[deprecated]
        return None, None

    path, content = setting("content_path", "ui_content_path")
    if path is not None and isinstance(content, str) and content:
        built = "/" + content.strip("/") + "/"
        if not CONTENT_PATH.match(built):
            yield _v(
                path,
                f'ui-content-path can only contain alphanumeric, -, _, or /. received: "{built}"',
                'use letters, digits, "-", "_" and "/" only',
            )
        elif HAS_VERSION.match(built):
            yield _v(path, f"ui-content-path cannot have 'v[0-9]'. received: \"{built}\"", "choose another path")
    path, provider = setting("metrics_provider")
    if path is not None and isinstance(provider, str) and provider and not BASIC_NAME.match(provider):
        yield _v(
            path,
            f'ui_config.metrics_provider can only contain lowercase alphanumeric, - or _ characters. received: "{provider}"',
            'use lowercase letters, digits, "-" and "_"',
        )
    path, options = setting("metrics_provider_options_json")
    if path is not None and isinstance(options, str) and options:
        try:
            parsed = json.loads(options)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            yield _v(
                path,
                "ui_config.metrics_provider_options_json must be empty or a string containing a valid JSON object. "
                f"received: {json.dumps(options)}",
                'write a JSON object, e.g. "{\\"timeout\\": \\"5s\\"}"',
            )
    pkey, proxy = block(ui, "metrics_proxy")
    if proxy is not None:
        ppath = base + path_of(pkey)
        ukey, url = find(proxy, "base_url")
        if isinstance(url, str) and url and not _http_url(url):
            yield _v(
                ppath + (ukey,),
                f"ui_config.metrics_proxy.base_url must be a valid http or https URL. received: {json.dumps(url)}",
                'use an http(s) URL, e.g. "http://prometheus:9090"',
            )
        lkey, allow = find(proxy, "path_allowlist")
        for i, item in enumerate(allow if isinstance(allow, list) else []):
            if not _absolute_path(item):
                yield _v(
                    ppath + (lkey, i),
                    f"ui_config.metrics_proxy.path_allowlist: path {json.dumps(item)} is not an absolute path",
                    'write an absolute URL path, e.g. "/api/v1/query"',
                )
                break
    tkey, templates = block(ui, "dashboard_url_templates")
    if templates is not None:
        tpath = base + path_of(tkey)
        for name, value in templates.items():
            if not BASIC_NAME.match(str(name)):
                yield _v(
                    tpath + (name,),
                    "ui_config.dashboard_url_templates key names can only contain lowercase alphanumeric, - or _ "
                    f"characters. received: {json.dumps(name)}",
                    'use lowercase letters, digits, "-" and "_"',
                )
            elif not _http_url(value):
                yield _v(
                    tpath + (name,),
                    "ui_config.dashboard_url_templates values must be a valid http or https URL.",
                    'use an http(s) URL template, e.g. "https://grafana/d/x?var-service={{Service.Name}}"',
                )
    epath, enabled = setting("enabled", "ui")
    dpath, folder = setting("dir", "ui_dir")
    if boolean(enabled) and isinstance(folder, str) and folder and dpath is not None:
        yield Violation("conflict", dpath, UI_BOTH, "remove ui_config.dir, or ui_config.enabled")


@checks("agent-config")
def modes(data: Any, context: Context) -> Iterator[Violation]:
    """Named modes: dns_config.recursor_strategy, limits.request_limits.mode."""
    path, strategy = _nested(data, "dns_config", "recursor_strategy")
    if path is not None and strategy not in ("", "sequential", "random"):
        yield _v(
            path,
            f"dns_config.recursor_strategy: invalid strategy: {json.dumps(strategy)}",
            'use "sequential" or "random"',
        )
    path, mode = _nested(data, "limits", "request_limits", "mode")
    if path is not None and mode not in ("", "disabled", "permissive", "enforcing"):
        yield _v(
            path,
            f"limits.request_limits.mode: invalid mode: {json.dumps(mode)}",
            'use "disabled", "permissive" or "enforcing"',
        )


@checks("agent-config")
def raft_logstore(data: Any, context: Context) -> Iterator[Violation]:
    """raft_logstore is validated on servers (the file must say server = true)."""
    if server_mode(data) is not True:
        return
    path, backend = _nested(data, "raft_logstore", "backend")
    if path is not None and backend not in ("boltdb", "wal"):
        yield _v(path, "raft_logstore.backend must be one of 'boltdb' or 'wal'", 'use "boltdb" or "wal"')
    path, size = _nested(data, "raft_logstore", "wal", "segment_size_mb")
    number = integer(size)
    if path is not None and number is not None:
        if number < 1:
            yield _v(path, "raft_logstore.wal.segment_size_mb cannot be less than 1MB", "use 1 to 1024 (MB)")
        elif number > 1024:
            yield _v(path, "raft_logstore.wal.segment_size_mb cannot be greater than 1024 (1GiB)", "use 1 to 1024 (MB)")
