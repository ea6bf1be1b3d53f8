"""Reading the conformance suite (``tests/conformance/<family>/*.yaml``): cases
transcribed by hand from the Go test tables of hashicorp/consul and hashicorp/consul-k8s,
each as the file a user would write, with the verdict Consul gives.

One YAML file holds the cases of one Go test function::

    family: service-definitions        # the folder's name
    source:
      repo: hashicorp/consul
      path: agent/structs/structs_test.go
      ref: 5f1a9e1...                  # the commit (or tag) the cases were read from
      test: TestStructs_NodeService_ValidateConnectProxy
    cases:
      - name: connect-proxy without Proxy.DestinationServiceName   # the Go case's name
        assumes: {edition: ce}         # optional: written to peerlint.toml (see below)
        files:
          web.hcl: |
            service { ... }
        expect: reject                 # or accept
        error: Proxy.DestinationServiceName must be non-empty   # Consul's text (a part of it)
        at: web.hcl:3                  # optional: the line the finding must be on

``assumes`` keys: ``edition`` (``ce``/``enterprise``, peerlint.toml's ``edition``) and, for
the consul-k8s webhooks (which are started with the enablement the Helm chart derives),
``namespaces`` and ``partitions`` (booleans) and ``partition`` (the cluster's admin
partition). Those three are written the way a user's repository says them: a Helm
``values.yaml`` beside the case's files (``global.enableConsulNamespaces``,
``global.adminPartitions.enabled`` / ``.name``); ``partition`` alone (no
``partitions``) is written as the cluster's ``partition`` in peerlint.toml instead. The
edition defaults to ``enterprise`` when namespaces or partitions are on (or the partition
is not ``default``), else ``ce``.

A ``reject`` case agrees when peerlint reports an error from a refusing rule (below)
whose message contains ``error`` (case-insensitive), on the line ``at`` names if given;
an ``accept`` case agrees when no refusing rule reports an error.

The refusing rules are those whose claim is that Consul or consul-k8s refuses the file:
PL0xx (the file cannot be read, an unknown kind) and PL1xx (the decoders' and
``Validate()`` refusals), PL601/PL602 (the consul chart's ``fail`` conditions), PL603
(the injector's refusal of an upstreams annotation) and PL701 (the agent config
builder's refusals for WAN federation through mesh gateways, reading the whole config
directory). PL702 (a federation that cannot form) and the PL2xx-PL5xx, PL8xx rules
judge a mesh Consul accepts, so they are not counted. PL601-PL603 also report a few
errors that are not refusals (a secondary the chart installs but that never joins);
counted for an ``accept`` case they make the verdict stricter, never looser. Findings on
the Helm values or peerlint.toml that :func:`write_case` writes for ``assumes`` are not
counted: those files stand for the Go test's start-up flags (a webhook started with
partitions on and namespaces off, which the chart itself would refuse), they are not
the case's files.
"""

from __future__ import annotations

import glob
import json
import os
from dataclasses import dataclass, field

from ruamel.yaml import YAML

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "conformance")
FAMILIES = ("service-definitions", "config-entries", "consul-k8s-webhooks", "agent-config", "acl-rules")
SOURCE_KEYS = {"repo", "path", "ref", "test"}
CASE_KEYS = {"name", "assumes", "files", "expect", "error", "at", "note"}
ASSUMES_KEYS = {"edition", "namespaces", "partitions", "partition"}


@dataclass
class Case:
    family: str
    source: dict
    name: str
    files: dict[str, str]
    expect: str
    error: str = ""
    at: str = ""
    assumes: dict = field(default_factory=dict)
    file: str = ""

    @property
    def id(self) -> str:
        return f"{self.family}/{os.path.basename(self.file)}::{self.name}"


class CaseFileError(ValueError):
    """A conformance file that does not follow the format above."""


def _check(condition: bool, file: str, what: str) -> None:
    if not condition:
        raise CaseFileError(f"{file}: {what}")


def read_file(path: str) -> list[Case]:
    with open(path, encoding="utf-8") as handle:
        data = YAML(typ="safe").load(handle)
    family = os.path.basename(os.path.dirname(path))
    _check(isinstance(data, dict), path, "not a mapping")
    _check(data.get("family") == family, path, f"family must be {family!r} (the folder)")
    _check(family in FAMILIES, path, f"unknown family {family!r}")
    source = data.get("source")
    _check(isinstance(source, dict) and set(source) == SOURCE_KEYS, path, f"source needs exactly {sorted(SOURCE_KEYS)}")
    _check(all(isinstance(v, str) and v for v in source.values()), path, "source values must be non-empty strings")
    cases = []
    names = set()
    for raw in data.get("cases") or []:
        _check(isinstance(raw, dict) and set(raw) <= CASE_KEYS, path, f"case keys must be within {sorted(CASE_KEYS)}")
        name = raw.get("name")
        _check(isinstance(name, str) and name and name not in names, path, f"case name missing or repeated: {name!r}")
        names.add(name)
        _check(raw.get("expect") in ("accept", "reject"), path, f"{name}: expect must be accept or reject")
        files = raw.get("files")
        _check(isinstance(files, dict) and files, path, f"{name}: files must map file names to texts")
        _check(all(isinstance(t, str) for t in files.values()), path, f"{name}: file texts must be strings")
        _check(all("/" not in f and not f.startswith(".") for f in files), path, f"{name}: plain file names only")
        if raw["expect"] == "reject":
            _check(
                isinstance(raw.get("error"), str) and raw["error"], path, f"{name}: a reject case needs Consul's error"
            )
        assumes = raw.get("assumes") or {}
        _check(set(assumes) <= ASSUMES_KEYS, path, f"{name}: assumes keys must be within {sorted(ASSUMES_KEYS)}")
        _check(
            all(isinstance(assumes[k], bool) for k in ("namespaces", "partitions") if k in assumes)
            and isinstance(assumes.get("partition", ""), str),
            path,
            f"{name}: assumes namespaces/partitions are booleans, partition a string",
        )
        cases.append(
            Case(
                family,
                dict(source),
                name,
                dict(files),
                raw["expect"],
                raw.get("error", ""),
                str(raw.get("at", "")),
                dict(assumes),
                path,
            )
        )
    _check(bool(cases), path, "no cases")
    return cases


def all_cases() -> list[Case]:
    found: list[Case] = []
    for path in sorted(glob.glob(os.path.join(ROOT, "*", "*.yaml"))):
        found.extend(read_file(path))
    return found


def write_case(case: Case, folder: str) -> None:
    """The case as files in ``folder`` (an empty folder), with its peerlint.toml and,
    when the case assumes a consul-k8s enablement, the Helm values that say it."""
    for name, text in case.files.items():
        with open(os.path.join(folder, name), "w", encoding="utf-8") as handle:
            handle.write(text)
    assumes = case.assumes
    helm = "namespaces" in assumes or "partitions" in assumes
    if helm and "values.yaml" not in case.files:
        lines = ["global:"]
        if "namespaces" in assumes:
            lines.append(f"  enableConsulNamespaces: {str(bool(assumes['namespaces'])).lower()}")
        if "partitions" in assumes:
            lines += ["  adminPartitions:", f"    enabled: {str(bool(assumes['partitions'])).lower()}"]
            if "partition" in assumes:
                lines.append(f"    name: {json.dumps(assumes['partition'])}")
        with open(os.path.join(folder, "values.yaml"), "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
    if "peerlint.toml" not in case.files:
        placed = assumes.get("partition") not in (None, "", "default")  # a partition: Enterprise
        on = bool(assumes.get("namespaces") or assumes.get("partitions") or placed)
        edition = assumes.get("edition", "enterprise" if on else "ce")
        text = f'edition = "{edition}"\n'
        if "partition" in assumes and "partitions" not in assumes:
            text += f'\n[clusters.dc1]\npaths = ["**"]\npartition = "{assumes["partition"]}"\n'
        with open(os.path.join(folder, "peerlint.toml"), "w", encoding="utf-8") as handle:
            handle.write(text)


#: Rules whose findings claim that Consul or consul-k8s refuses the file (see above):
#: every PL0xx/PL1xx rule and these.
REFUSING_RULES = frozenset({"PL601", "PL602", "PL603", "PL701"})


def refuses(code: str) -> bool:
    """Whether a finding of rule ``code`` claims Consul or consul-k8s refuses the file."""
    return code.startswith(("PL0", "PL1")) or code in REFUSING_RULES


def verdict(case: Case, findings: list) -> tuple[bool, str]:
    """(agrees, why) for a case and peerlint's findings on it."""
    written = {"values.yaml", "peerlint.toml"} - set(case.files)  # write_case's stand-ins for the Go test's flags
    errors = [f for f in findings if f.severity == "error" and refuses(f.code) and f.path not in written]
    shown = "; ".join(f"{f.path}:{f.span.line} {f.code} {f.message}" for f in errors) or "no error"
    if case.expect == "accept":
        return (not errors, f"Consul accepts; peerlint: {shown}")
    want = case.error.lower()
    line = None
    if case.at:
        file, _, number = case.at.rpartition(":")
        line = (file, int(number))
    for f in errors:
        if want in f.message.lower() and (line is None or (f.path, f.span.line) == line):
            return (True, "")
    return (False, f"Consul rejects with {case.error!r}{' at ' + case.at if case.at else ''}; peerlint: {shown}")
