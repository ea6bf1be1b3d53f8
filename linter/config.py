"""Project configuration: ``peerlint.toml``, ``.peerlint.toml`` or ``[tool.peerlint]``
in ``pyproject.toml``, found by walking up from the checked path.

Every key is checked: an unknown key or a bad value is a :class:`ConfigError` naming
the file and line (the CLI exits 2), because a silently ignored typo in a linter's own
configuration hides every finding it was meant to control.
"""

from __future__ import annotations

import bisect
import os
import re
from dataclasses import dataclass, field
from typing import Any

from linter.configfind import CONFIG_NAMES as CONFIG_NAMES  # (re-exported: where callers look for it)
from linter.configfind import find_config as find_config

EDITIONS = ("ce", "enterprise")
SEVERITY_VALUES = ("error", "warning", "note", "off")


class ConfigError(Exception):
    def __init__(self, message: str, path: str = "", line: int = 0) -> None:
        where = f"{path}:{line}: " if path and line else (f"{path}: " if path else "")
        super().__init__(f"{where}{message}")
        self.path = path
        self.line = line


@dataclass
class ClusterConfig:
    name: str
    datacenter: str
    partition: str = "default"
    paths: list[str] = field(default_factory=list)
    peer_name: str | None = None
    helm_values: list[str] = field(default_factory=list)
    edition: str | None = None  # None: the top-level edition, else inferred
    #: the Terraform consul provider alias whose resources are this cluster's
    #: (``provider = "dc2"`` or ``"consul.dc2"``; linter.model.tfclusters)
    provider: str | None = None


@dataclass
class PeeringConfig:
    a: str
    b: str
    line: int = 0


@dataclass
class Config:
    path: str | None = None  # the config file, if any
    root: str = "."  # the folder globs are relative to
    edition: str = "ce"
    consul_version: str | None = None
    consul_k8s_version: str | None = None
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)
    per_path_ignores: dict[str, list[str]] = field(default_factory=dict)
    clusters: dict[str, ClusterConfig] = field(default_factory=dict)
    peerings: list[PeeringConfig] = field(default_factory=list)
    max_file_size: int = 10 * 1024 * 1024
    require_suppression_reason: bool = False
    #: skip what ``.gitignore`` ignores (``respect-gitignore``; ``--no-respect-gitignore``)
    respect_gitignore: bool = True
    non_suppressible: list[str] = field(default_factory=list)
    helm_values_order: list[str] = field(default_factory=list)
    line_of: dict[str, int] = field(default_factory=dict)
    #: (setting, code) -> line, for every code the file names (checked against the rules).
    code_lines: dict[tuple[str, str], int] = field(default_factory=dict)

    def fingerprint(self) -> str:
        """What the parse cache must be invalidated by."""
        return repr((self.edition, self.consul_version, self.max_file_size))


@dataclass(frozen=True)
class RunOptions:
    """How a run goes, never what it finds: set by the CLI (never read from the
    configuration file). Kept apart from :class:`Config` so that every cache key can
    hash the whole Config (anything in it may change findings) with nothing to strip."""

    #: Processes to parse with; None: one per core (a pool only for many files).
    jobs: int | None = None
    #: The cache folder (parse and results caches); None: no cache (the library
    #: default, so tests and embedders never write into checked folders; the CLI
    #: turns it on).
    cache_dir: str | None = None
    #: Files and folders never read (absolute): peerlint's own report, baseline and
    #: cache when they are written inside the project.
    never_scan: tuple[str, ...] = ()
    #: Told what the run is doing as each stage starts ("parsing 1,000 files"): the
    #: CLI's progress display on a terminal (linter.commands.progress); None: nobody.
    progress: Any = field(default=None, compare=False)
    #: What a long-lived process remembers between runs (linter.daemon.warm.Warm: the
    #: daemon sets it); None: a one-shot run reads everything.
    warm: Any = field(default=None, compare=False)

    def stage(self, text: str) -> None:
        """Say that a stage starts (to :attr:`progress`, if anyone listens)."""
        if self.progress is not None:
            self.progress(text)


TOP_KEYS = {
    "edition",
    "consul-version",
    "consul-k8s-version",
    "include",
    "exclude",
    "select",
    "ignore",
    "severity",
    "per-path-ignores",
    "clusters",
    "peerings",
    "max-file-size",
    "require-suppression-reason",
    "respect-gitignore",
    "non-suppressible",
    "helm-values-order",
}
CLUSTER_KEYS = {"datacenter", "partition", "paths", "peer-name", "helm-values", "edition", "provider"}
PEERING_KEYS = {"a", "b"}
_CODE = re.compile(r"^[A-Z]{2,}[0-9]{0,4}$")


_LINE_STARTS: dict[str, list[int]] = {}  # the config text's line offsets (one text a run)


def _line_of(text: str, key: str, after: int = 0) -> int:
    """The line where ``key`` is set or a table named ``key`` opens (TOML parsers keep
    no positions; the key's own line is what a user needs to find), searching from
    the line after ``after`` (each of many ``[[peerings]]`` in turn: not from the top)."""
    starts = _LINE_STARTS.get(text)
    if starts is None:
        _LINE_STARTS.clear()
        starts = _LINE_STARTS[text] = [0] + [m.end() for m in re.finditer("\n", text)]
    pattern = re.compile(
        r'^[ \t]*(\[+[^\]]*\b%s\b[^\]]*\]+|["\']?%s["\']?\s*=)' % (re.escape(key), re.escape(key)), re.M
    )
    match = pattern.search(text, starts[after] if after < len(starts) else len(text))
    if match is None:
        return after or 1
    return bisect.bisect_right(starts, match.start())


def _code_line(text: str, code: str, after: int) -> int:
    """The line of a quoted ``code`` in an array, searching from line ``after``."""
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    found = re.compile(r"[\"']%s[\"']" % re.escape(code)).search(text, starts[min(after, len(starts) - 1)])
    return bisect.bisect_right(starts, found.start()) if found else after + 1


def code_line(path: str, value: str, after: int = 0) -> int:
    """The line of the quoted ``value`` in the config file at ``path`` (from line
    ``after``); 1 when the file cannot be read."""
    try:
        with open(path, encoding="utf-8") as handle:
            return _code_line(handle.read(), value, after)
    except (OSError, UnicodeDecodeError):
        return 1


def check_codes(config: Config, known: Any) -> None:
    """Every code or prefix the configuration names must name a rule (``known``: the
    loaded rules' codes): a typo in ``ignore`` or ``[severity]`` would otherwise
    silently change nothing. Raises :class:`ConfigError` with the line."""
    for (setting, code), line in sorted(config.code_lines.items(), key=lambda item: item[1]):
        if not any(k.startswith(code) for k in known):
            from linter.kinds import did_you_mean

            hint = did_you_mean(code, list(known))
            raise ConfigError(
                f"{setting}: no rule matches {code!r}" + (f"; did you mean {hint}?" if hint else ""),
                config.path or "",
                line,
            )


def _toml():
    try:
        import tomllib  # type: ignore[import-not-found]
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    return tomllib


def load_config(start: str, explicit: str | None = None) -> Config:
    """The configuration for a run over ``start``; defaults when there is no file."""
    path = explicit or find_config(start)
    if path is None:
        root = os.path.abspath(start)
        return Config(root=root if os.path.isdir(root) else os.path.dirname(root))
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as err:
        raise ConfigError(f"cannot read config: {err.strerror}", path)
    except UnicodeDecodeError:
        raise ConfigError("config is not UTF-8 text", path)
    return config_from_text(text, path)


def config_from_text(text: str, path: str) -> Config:
    """The configuration in ``text``, as if read from ``path`` (globs are relative to
    its folder): a configuration as committed or staged in git, never on disk."""
    tomllib = _toml()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        line = getattr(err, "lineno", 0) or int((re.search(r"line (\d+)", str(err)) or [0, 0])[1])
        raise ConfigError(f"invalid TOML: {getattr(err, 'msg', str(err))}", path, line)
    except RecursionError:  # a committed file nested thousands deep (issue #21): one line, exit 2
        raise ConfigError("invalid TOML: nested too deeply to read", path)
    if os.path.basename(path) == "pyproject.toml":
        data = data.get("tool", {}).get("peerlint", {})
    return _build(data, text, path)


def _build(data: dict[str, Any], text: str, path: str) -> Config:
    config = Config(path=path, root=os.path.dirname(os.path.abspath(path)))

    def fail(message: str, key: str, after: int = 0) -> None:
        raise ConfigError(message, path, _line_of(text, key, after))

    def strings(key: str, value: Any) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            fail(f"'{key}' must be a list of strings", key)
        return list(value)

    def codes(key: str, value: Any, setting: str = "") -> list[str]:
        out = strings(key, value)
        start = _line_of(text, key) - 1
        for code in out:
            if not _CODE.match(code):
                fail(f"'{key}': {code!r} is not a rule code or prefix (like PL301 or PL3)", key)
            config.code_lines[(setting or key, code)] = _code_line(text, code, start)
        return out

    for key in data:
        if key not in TOP_KEYS:
            from linter.kinds import did_you_mean

            hint = did_you_mean(key, TOP_KEYS)
            fail(f"unknown key '{key}'" + (f"; did you mean '{hint}'?" if hint else ""), key)
        config.line_of[key] = _line_of(text, key)
    if "edition" in data:
        if data["edition"] not in EDITIONS:
            fail(f"'edition' must be one of {', '.join(EDITIONS)}", "edition")
        config.edition = data["edition"]
    for key, attr in (("consul-version", "consul_version"), ("consul-k8s-version", "consul_k8s_version")):
        if key in data:
            # Validated by the one version reader the rules use (imported here, not at the
            # top: this module must stay light to import), so a version the rules could
            # not read is an error here, not a silently ignored setting.
            from linter.versions import parse_version

            if not isinstance(data[key], str) or parse_version(data[key]) is None:
                fail(f"'{key}' must be a version string like \"1.17.2\"", key)
            setattr(config, attr, data[key].strip().lstrip("v"))
    for key in ("include", "exclude", "helm-values-order"):
        if key in data:
            setattr(config, key.replace("-", "_"), strings(key, data[key]))
    for key in ("select", "ignore", "non-suppressible"):
        if key in data:
            setattr(config, key.replace("-", "_"), codes(key, data[key]))
    if "max-file-size" in data:
        if (
            not isinstance(data["max-file-size"], int)
            or isinstance(data["max-file-size"], bool)
            or data["max-file-size"] <= 0
        ):
            fail("'max-file-size' must be a positive number of bytes", "max-file-size")
        config.max_file_size = data["max-file-size"]
    if "respect-gitignore" in data:
        if not isinstance(data["respect-gitignore"], bool):
            fail("'respect-gitignore' must be true or false", "respect-gitignore")
        config.respect_gitignore = data["respect-gitignore"]
    if "require-suppression-reason" in data:
        if not isinstance(data["require-suppression-reason"], bool):
            fail("'require-suppression-reason' must be true or false", "require-suppression-reason")
        config.require_suppression_reason = data["require-suppression-reason"]
    if "severity" in data:
        if not isinstance(data["severity"], dict):
            fail('\'severity\' must be a table of CODE = "error"|"warning"|"note"|"off"', "severity")
        for code, sev in data["severity"].items():
            if not _CODE.match(code) or sev not in SEVERITY_VALUES:
                fail(f"severity for {code!r} must be one of {', '.join(SEVERITY_VALUES)}", code)
            config.severity[code] = sev
            config.code_lines[("severity", code)] = _line_of(text, code, config.line_of.get("severity", 1) - 1)
    if "per-path-ignores" in data:
        table = data["per-path-ignores"]
        if not isinstance(table, dict):
            fail("'per-path-ignores' must be a table of \"glob\" = [CODES]", "per-path-ignores")
        for glob, value in table.items():
            config.per_path_ignores[glob] = codes(glob, value, f"per-path-ignores {glob!r}")
    if "clusters" in data:
        if not isinstance(data["clusters"], dict):
            fail("'clusters' must be tables: [clusters.NAME]", "clusters")
        for name, body in data["clusters"].items():
            config.clusters[name] = _cluster(name, body, fail)
    if "peerings" in data:
        if not isinstance(data["peerings"], list):
            fail("'peerings' must be an array of tables: [[peerings]]", "peerings")
        after = 0
        for body in data["peerings"]:
            line = _line_of(text, "peerings", after)
            after = line
            if not isinstance(body, dict):
                fail("each [[peerings]] entry must be a table with a and b", "peerings")
            for key in body:
                if key not in PEERING_KEYS:
                    fail(f"unknown key '{key}' in [[peerings]] (expected a, b)", key, line)
            for key in PEERING_KEYS:
                value = body.get(key)
                if not isinstance(value, str) or not value:
                    fail(f"[[peerings]] needs '{key}', a cluster name", "peerings", line - 1)
                if config.clusters and value not in config.clusters:
                    fail(f"[[peerings]] names cluster {value!r}, which no [clusters.{value}] defines", key, line)
            config.peerings.append(PeeringConfig(body["a"], body["b"], line))
    return config


def _cluster(name: str, body: Any, fail: Any) -> ClusterConfig:
    if not isinstance(body, dict):
        fail(f"[clusters.{name}] must be a table", name)
    for key in body:
        if key not in CLUSTER_KEYS:
            fail(f"unknown key '{key}' in [clusters.{name}] (expected {', '.join(sorted(CLUSTER_KEYS))})", key)
    datacenter = body.get("datacenter", name)
    if not isinstance(datacenter, str) or not re.match(r"^[a-z0-9_-]+$", datacenter):
        fail(f"[clusters.{name}] datacenter must match ^[a-z0-9_-]+$ (Consul's rule)", "datacenter")
    partition = body.get("partition", "default")
    if not isinstance(partition, str) or not partition:
        fail(f"[clusters.{name}] partition must be a non-empty string", "partition")
    cluster = ClusterConfig(name, datacenter, partition)
    for key, attr in (("paths", "paths"), ("helm-values", "helm_values")):
        if key in body:
            value = body[key]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                fail(f"[clusters.{name}] {key} must be a list of glob strings", key)
            setattr(cluster, attr, list(value))
    if "edition" in body:
        if body["edition"] not in EDITIONS:
            fail(f"[clusters.{name}] edition must be one of {', '.join(EDITIONS)}", "edition")
        cluster.edition = body["edition"]
    if "peer-name" in body:
        if not isinstance(body["peer-name"], str):
            fail(f"[clusters.{name}] peer-name must be a string", "peer-name")
        cluster.peer_name = body["peer-name"]
    if "provider" in body:
        provider = body["provider"]
        if not isinstance(provider, str) or not re.match(r"^((consul|helm)\.)?[A-Za-z_][A-Za-z0-9_-]*$", provider):
            fail(
                f'[clusters.{name}] provider must name a consul (or helm) provider alias ("dc2", "consul.dc2", "helm.k8s")',
                "provider",
            )
        cluster.provider = provider.split(".", 1)[-1]
    return cluster
