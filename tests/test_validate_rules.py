"""PL105-PL109 (Consul's and consul-k8s's Validate()/webhook semantics beyond shape):
name patterns at their boundaries, malformed input never crashing, and the public corpus
producing none of these findings except where listed with a reason.

The fixtures under tests/fixtures/PL105..PL109 carry the case-by-case checks (run by
tests/test_fixtures.py); this file covers what fixtures cannot say well.
"""

from __future__ import annotations

import csv
import importlib
import inspect
import os
from functools import lru_cache

import pytest
from helpers import SHARED, lint, needs_shared

from linter.api import Rule
from linter.config import Config, load_config
from linter.engine import load_project, run_rules
from linter.model import validate as v
from linter.nodes import Scalar, Span

MODULES = (
    "pl105_invalid_name",
    "pl106_conflicting_fields",
    "pl107_invalid_wildcard",
    "pl108_duplicate",
    "pl109_enterprise_only",
)
CODES = ("PL105", "PL106", "PL107", "PL108", "PL109")
CORPUS = os.path.join(SHARED, "corpus")


def _rules() -> dict[str, type[Rule]]:
    """These rules only, imported directly: this file tests them whatever state the
    other rule modules are in."""
    rules = {}
    for name in MODULES:
        module = importlib.import_module(f"linter.rules.{name}")
        for value in vars(module).values():
            if inspect.isclass(value) and issubclass(value, Rule) and value.code in CODES:
                rules[value.code] = value
    return rules


def _scalar(text: str) -> Scalar:
    return Scalar(text, Span.point(1, 1), quoted=True)


@pytest.mark.parametrize(
    "name,ok",
    [
        ("a", True),
        ("dc2", True),
        ("dc-2", True),
        ("0", True),
        ("a" * 63, True),
        ("a" * 64, False),
        ("-dc", False),
        ("dc-", False),
        ("DC2", False),
        ("dc_2", False),
        ("dc.2", False),
        ("dc 2", False),
    ],
)
def test_peer_name_pattern(name: str, ok: bool) -> None:
    assert (v.peer_name_problem(_scalar(name)) is None) is ok


def test_peer_name_wildcards_left_to_pl107() -> None:
    assert v.peer_name_problem(_scalar("*"), "exact") is None
    assert v.peer_name_problem(_scalar("dc*"), "exact") is not None  # exports compare with "*" exactly
    assert v.peer_name_problem(_scalar("dc*"), "contains") is None
    assert v.peer_name_problem(_scalar("")) is None  # "" is the local cluster


MALFORMED = {
    "exports.hcl": 'Kind = "exported-services"\nName = 5\nServices = "web"\n',
    "exports2.json": '{"Kind": "exported-services", "Name": ["default"], "Services": [1, "x", {"Name": {"a": 1}, "Consumers": [null, 3, {"Peer": ["x"], "Partition": {"a": 1}}]}]}\n',
    "intentions.json": '{"Kind": "service-intentions", "Name": null, "Sources": [{"Name": 1, "Permissions": "x", "Action": ["allow"]}, {"Permissions": [{"HTTP": "x"}, {"HTTP": {"Header": "x", "Methods": "GET"}}]}]}\n',
    "resolver.json": '{"Kind": "service-resolver", "Name": "a", "Redirect": "x", "Failover": {"*": "x", "v1": {"Targets": [1, {"Peer": 2, "Datacenter": true}]}}}\n',
    "defaults.json": '{"Kind": "service-defaults", "Name": "*", "UpstreamConfig": {"Overrides": "x"}}\n',
    "group.json": '{"Kind": "sameness-group", "Members": {"Peer": 1}}\n',
    "web.json": '{"service": {"name": 1, "connect": {"sidecar_service": {"proxy": {"upstreams": [1, {"destination_peer": 3, "datacenter": 4, "local_bind_port": "x"}]}}}}}\n',
    "agent.json": '{"datacenter": 12, "primary_datacenter": null, "server": true}\n',
    "crds.yaml": (
        "apiVersion: consul.hashicorp.com/v1alpha1\nkind: ExportedServices\nmetadata: {name: [x]}\nspec: {services: {consumers: 1}}\n---\n"
        "apiVersion: consul.hashicorp.com/v1alpha1\nkind: ServiceIntentions\nmetadata: 7\nspec: {destination: x, sources: [{peer: '*', permissions: 1}]}\n---\n"
        "apiVersion: consul.hashicorp.com/v1alpha1\nkind: PeeringAcceptor\nmetadata: {name: 5}\nspec: {peer: {secret: x}}\n---\n"
        "apiVersion: consul.hashicorp.com/v1alpha1\nkind: PeeringAcceptor\nmetadata: {name: b}\nspec: {peer: 1}\n---\n"
        "apiVersion: consul.hashicorp.com/v1alpha1\nkind: SamenessGroup\nmetadata: {}\nspec: {members: [1, 1]}\n---\n"
        "apiVersion: consul.hashicorp.com/v1alpha1\nkind: ServiceDefaults\nmetadata: {name: w}\nspec: {upstreamConfig: {defaults: 1, overrides: [1]}}\n"
    ),
}


@pytest.mark.parametrize("edition", ["ce", "enterprise"])
def test_malformed_input_never_crashes(tmp_path, edition: str) -> None:
    (tmp_path / "peerlint.toml").write_text(f'edition = "{edition}"\n')
    for name, text in MALFORMED.items():
        (tmp_path / name).write_text(text)
    result = lint(str(tmp_path), rules=_rules())
    assert not result.internal_error, [f.message for f in result.findings if f.code == "PL000"]


def test_edition_enterprise_silences_pl109(tmp_path) -> None:
    (tmp_path / "group.hcl").write_text('Kind = "sameness-group"\nName = "east"\nMembers = [{ Peer = "dc2" }]\n')
    assert [f.code for f in lint(str(tmp_path), rules=_rules()).findings] == ["PL109"]
    (tmp_path / "peerlint.toml").write_text('edition = "enterprise"\n')
    assert not lint(str(tmp_path), rules=_rules()).findings


# --- the corpus -----------------------------------------------------------------

#: Doc pages (folders) and acceptance fixtures whose examples are Consul Enterprise
#: configurations (admin partitions, namespaces, sameness groups): linted with
#: edition = "enterprise", where they must be clean like everything else.
ENTERPRISE = {
    "corpus/consul-docs/docs--manage-traffic--failover--sameness-group/": "sameness groups (Enterprise)",
    "corpus/consul-docs/docs--multi-tenant--sameness-group--k8s/": "sameness groups, partitions, namespaces (Enterprise)",
    "corpus/consul-docs/docs--multi-tenant--sameness-group--vm/": "sameness groups, partitions, namespaces (Enterprise)",
    "corpus/consul-docs/docs--reference--config-entry--exported-services/": "reference page: its examples set Enterprise Partition/Namespace fields",
    "corpus/consul-docs/docs--reference--config-entry--file-system-certificate/": "reference page: its examples set Enterprise Partition/Namespace fields",
    "corpus/consul-docs/docs--reference--config-entry--http-route/": "reference page: its examples set Enterprise Partition/Namespace fields",
    "corpus/consul-docs/docs--reference--config-entry--ingress-gateway/": "reference page: its examples set Enterprise Partition/Namespace fields",
    "corpus/consul-docs/docs--reference--config-entry--sameness-group/": "reference page: its examples set Enterprise Partition/Namespace fields",
    "corpus/consul-docs/docs--reference--config-entry--service-defaults/": "reference page: its examples set Enterprise Partition/Namespace fields",
    "corpus/consul-docs/docs--reference--config-entry--service-intentions/": "reference page: its examples set Enterprise Partition/Namespace fields",
    "corpus/consul-docs/docs--reference--config-entry--service-resolver/": "reference page: its examples set Enterprise Partition/Namespace fields",
    "corpus/consul-docs/docs--reference--config-entry--service-splitter/": "reference page: its examples set Enterprise Partition/Namespace fields",
    "corpus/consul-docs/docs--reference--config-entry--tcp-route/": "reference page: its examples set Enterprise Partition/Namespace fields",
    "corpus/consul-docs/docs--register--service--vm--define/": "service registration with Enterprise namespace/partition",
    "corpus/consul-k8s/samples/acceptance/tests/fixtures/bases/sameness/": "consul-k8s sameness acceptance tests (Enterprise)",
    "corpus/consul-k8s/samples/acceptance/tests/fixtures/cases/sameness/": "consul-k8s sameness acceptance tests (Enterprise)",
    "corpus/consul-k8s/samples/acceptance/tests/fixtures/cases/crd-partitions/": "consul-k8s admin-partition acceptance tests (Enterprise)",
    "corpus/consul-k8s/samples/acceptance/tests/fixtures/bases/exportedservices-secondary/": "export from the 'secondary' admin partition (Enterprise)",
    "corpus/consul-k8s/samples/acceptance/tests/fixtures/cases/crds-ent/": "consul-k8s Enterprise CRD acceptance tests",
    "corpus/consul-k8s/samples/acceptance/tests/fixtures/cases/crd-peers/": "peers with Consul namespaces (Enterprise)",
    "corpus/consul-k8s/samples/acceptance/tests/fixtures/cases/api-gateways/": "resolvers with Consul namespaces (Enterprise)",
}

#: Complete, parsing corpus files that do get one of these findings, and why it is right.
PLACEHOLDER = "a <placeholder> or template variable where a name goes: not a usable name"
EXCEPTIONS: dict[str, tuple[set[str], str]] = {
    # server = false with bootstrap = true: agent/config/builder.go validate() refuses it
    "corpus/consul-docs/partials--examples--agent--client--multi-interface/0.hcl": (
        {"PL106"},
        "'bootstrap = true' requires 'server = true' (a client agent cannot bootstrap)",
    ),
    "corpus/consul-docs/partials--examples--agent--client--multi-interface/1.json": (
        {"PL106"},
        "'bootstrap = true' requires 'server = true' (a client agent cannot bootstrap)",
    ),
    "corpus/consul-docs/docs--reference--config-entry--exported-services/0.hcl": ({"PL105"}, PLACEHOLDER),
    "corpus/consul-docs/docs--reference--config-entry--exported-services/1.yaml": ({"PL105"}, PLACEHOLDER),
    "corpus/consul-docs/docs--reference--config-entry--exported-services/2.json": ({"PL105"}, PLACEHOLDER),
    "corpus/consul-docs/docs--reference--config-entry--exported-services/3.hcl": ({"PL105"}, PLACEHOLDER),
    "corpus/consul-docs/docs--reference--config-entry--exported-services/4.yaml": ({"PL105"}, PLACEHOLDER),
    "corpus/consul-docs/docs--reference--config-entry--exported-services/5.json": ({"PL105"}, PLACEHOLDER),
    "corpus/consul-docs/docs--reference--config-entry--sameness-group/0.hcl": ({"PL105"}, PLACEHOLDER),
    "corpus/consul-docs/docs--reference--config-entry--sameness-group/2.yaml": ({"PL105"}, PLACEHOLDER),
    "corpus/consul-docs/docs--register--external--esm--index/2.json": (
        {"PL105"},
        PLACEHOLDER + " ($consul_datacenter)",
    ),
    "corpus/consul-k8s/samples/acceptance/tests/fixtures/bases/crds-oss/exportedservices.yaml": (
        {"PL105", "PL109"},
        "template (peer: peerName, samenessGroup: groupName) the acceptance test rewrites; "
        "Consul CE refuses a samenessGroup consumer when the controller syncs it",
    ),
    "corpus/consul-k8s/samples/acceptance/tests/fixtures/cases/crds-ent/exportedservices.yaml": (
        {"PL105"},
        "peer: peerName is a template the acceptance test rewrites",
    ),
    # Field-reference skeletons that list every field at once, with placeholders: Consul
    # would refuse them exactly as reported (peer next to partition/namespace, action
    # next to permissions, several path matchers).
    "corpus/consul-docs/docs--reference--config-entry--service-intentions/1.yaml": (
        {"PL105", "PL106"},
        "every-field reference skeleton with placeholders",
    ),
    "corpus/consul-docs/docs--reference--config-entry--service-defaults/1.yaml": (
        {"PL105", "PL106"},
        "every-field reference skeleton with placeholders",
    ),
    # Real errors in the public docs.
    "corpus/consul-docs/docs--reference--config-entry--service-intentions/28.yaml": (
        {"PL106"},
        "docs error: `action: allow` and `http:` are indented into the source, next to its permissions",
    ),
    "corpus/consul-docs/docs--fundamentals--service/0.hcl": (
        {"PL106"},
        "docs error: an every-field example sets socket_path together with port/address, which the agent refuses",
    ),
    "corpus/consul-docs/docs--reference--service--index/13.hcl": (
        {"PL106"},
        "docs error: an every-field example sets socket_path together with port/address, which the agent refuses",
    ),
}


def _complete_files() -> set[str]:
    """Corpus files the MANIFESTs call complete, parsing examples (not fragments)."""
    files = set()
    with open(os.path.join(CORPUS, "consul-docs", "MANIFEST.tsv"), encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row["category"] != "fragment" and row["parses"] == "yes":
                files.add(row["local_path"])
    with open(os.path.join(CORPUS, "consul-k8s", "MANIFEST.tsv"), encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row["local_path"].startswith("samples/"):
                files.add("corpus/consul-k8s/" + row["local_path"])
    return files


@lru_cache(maxsize=2)
def _corpus_findings(edition: str) -> dict[str, set[str]]:
    """{file: codes} for the corpus under one edition. Each corpus file is an example
    on its own (docs pages, unrelated test fixtures), not part of one cluster, so each
    is placed in a cluster of its own before the rules run."""
    if not os.path.isdir(CORPUS):
        pytest.skip("../shared/corpus is not present")
    old = os.getcwd()
    os.chdir(SHARED)
    try:
        config: Config = load_config(".")
        config.edition = edition
        project = load_project(["corpus"], config)
        for doc in project.documents:
            doc.cluster = doc.path
        findings, internal = run_rules(project, _rules())
    finally:
        os.chdir(old)
    assert not internal, [f.message for f in findings if f.code == "PL000"]
    out: dict[str, set[str]] = {}
    for finding in findings:
        out.setdefault(finding.path, set()).add(finding.code)
    return out


def _enterprise(path: str) -> bool:
    return any(path.startswith(prefix) for prefix in ENTERPRISE)


@needs_shared
def test_corpus_complete_examples_are_clean() -> None:
    wrong = []
    for path in sorted(_complete_files()):
        got = _corpus_findings("enterprise" if _enterprise(path) else "ce").get(path, set())
        allowed = EXCEPTIONS.get(path, (set(), ""))[0]
        if got != allowed:
            wrong.append((path, sorted(got), sorted(allowed)))
    assert not wrong, "\n".join(f"{p}: got {g}, listed {a}" for p, g, a in wrong)


def test_corpus_enterprise_examples_are_flagged_in_ce() -> None:
    """The ENTERPRISE list is not a blanket pass: under CE, these rules (PL109, or PL105
    for an export named after a non-default partition) do flag every entry of it."""
    ce = _corpus_findings("ce")
    flagged = {
        prefix
        for prefix in ENTERPRISE
        if any(p.startswith(prefix) and codes & {"PL105", "PL109"} for p, codes in ce.items())
    }
    assert flagged == set(ENTERPRISE), set(ENTERPRISE) - flagged
