"""The schema layer (linter/schemacheck.py + schemas/*.json) and PL101-PL104.

Checks that every kind has a schema that compiles, that validators are built once per
process, that generated schemas are current, that hostile input never raises, and that
complete, valid corpus examples produce no PL101-PL104 beyond the listed exceptions.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys

import pytest
from helpers import REPO, SHARED, lint

from linter import schemacheck
from linter.model.classify import classify
from linter.parse import parse_text

CODES = ("PL101", "PL102", "PL103", "PL104")
CORPUS = os.path.join(SHARED, "corpus")
D = "corpus/consul-docs/"

#: Complete corpus files (per MANIFEST: parse, no fragment, no placeholder) that get a
#: PL101-PL104 finding, and why the finding is right or out of our hands.
EXCEPTIONS = {
    # --- real errors in the public docs ---
    D + "docs--east-west--wan-federation--k8s-vm/10.hcl": (
        "tls.defaults.cert_file reaches the gRPC listener, and ports.grpc without ports.grpc_tls: "
        "Consul 1.14+ refuses it (`the ports.grpc listener no longer supports TLS`, agent/config/builder.go)"
    ),
    D
    + "docs--manage-traffic--rate-limit/0.hcl": "docs write RateLimit; Consul's service-defaults field is RateLimits (semantics 2.5)",
    D + "docs--manage-traffic--rate-limit/2.hcl": "RateLimit for RateLimits",
    D + "docs--manage-traffic--rate-limit/3.yaml": "rateLimit for RateLimits",
    **{
        D + f"docs--reference--config-entry--service-defaults/{n}": "RateLimit for RateLimits"
        for n in ("15.hcl", "17.json", "18.hcl", "19.yaml", "20.json", "21.hcl", "22.yaml", "23.json")
    },
    D
    + "docs--reference--config-entry--service-defaults/25.yaml": "spec.maxRequestHeadersKB is not in the consul-k8s ServiceDefaults CRD",
    D
    + "docs--reference--config-entry--service-intentions/27.hcl": "a permission without Action: Consul requires allow/deny on every permission",
    D
    + "docs--reference--config-entry--service-intentions/29.json": "a permission without Action (JSON twin of 27.hcl)",
    D
    + "docs--reference--config-entry--service-intentions/28.yaml": "mis-indented YAML: action/http land on the source, not the permission",
    D
    + "docs--secure-mesh--intention--jwt/2.hcl": "an intention with JWT and no Sources: 'At least one source is required'",
    D
    + "docs--reference--config-entry--service-resolver/16.yaml": "spec.failover written without a subset key (failover is a map of subsets)",
    D + "docs--reference--config-entry--service-resolver/19.yaml": "spec.failover written without a subset key",
    D + "docs--manage-traffic--failover--k8s/0.yaml": "'apiversion' (lower-case v): Kubernetes reads only apiVersion",
    D + "docs--manage-traffic--route-local/10.yaml": "'apiversion' for apiVersion",
    D + "docs--manage-traffic--route-local/4.yaml": "'apiversion' for apiVersion",
    D + "docs--manage-traffic--virtual-service/0.yaml": "'apiversion' for apiVersion",
    D + "docs--manage-traffic--virtual-service/2.yaml": "'apiversion' for apiVersion",
    D + "docs--multi-tenant--sameness-group--k8s/4.yaml": "'Kind' (capital K) in a Kubernetes object",
    D + "docs--multi-tenant--sameness-group--k8s/5.yaml": "'Kind' in a Kubernetes object",
    D + "docs--multi-tenant--sameness-group--k8s/6.yaml": "'Kind' in a Kubernetes object",
    D + "docs--reference--service--index/9.hcl": "weights.critical: agent service weights have only passing/warning",
    D + "docs--reference--service--index/10.json": "weights.critical (JSON twin of 9.hcl)",
    D + "docs--reference--proxy--connect-proxy/26.hcl": "proxy.name inside sidecar_service.proxy is not a proxy field",
    D + "docs--reference--proxy--connect-proxy/27.json": "proxy.name (JSON twin of 26.hcl)",
    # --- removed or legacy fields shown on old pages (chart keys: only those no chart
    # version from the last 0.x on reads; apiGateway, client.snapshotAgent and
    # connectInject.prepareDataplanesUpgrade are read by some version, and these pages
    # pin none, so they are no longer findings) ---
    D + "docs--fundamentals--service/0.hcl": "proxy_destination: the managed-proxy field removed in Consul 1.6",
    D + "docs--reference--service--index/13.hcl": "proxy_destination (removed in 1.6)",
    D + "docs--reference--proxy--built-in/0.json": "connect.proxy: the managed proxy removed in Consul 1.6",
    D
    + "docs--reference--service--index/15.hcl": "multi-port 'ports' list: a Consul v2 catalog feature the agent file decoder does not have",
    D
    + "docs--upgrade--k8s--crds/0.yaml": "connectInject.centralConfig: removed from the chart (upgrade page shows the old value)",
    D + "docs--upgrade--k8s--crds/2.yaml": "connectInject.centralConfig (removed)",
    D + "docs--upgrade--k8s--crds/4.yaml": "connectInject.centralConfig (removed)",
    D + "docs--upgrade--k8s--crds/5.yaml": "meshGateway.globalMode (removed)",
    D + "docs--observe--grafana--index/0.yaml": "global.metrics.provider is not a chart value",
    # --- pages whose example Consul's Validate() refuses (linter/constraints/entries_*) ---
    D + "docs--observe--access-log/9.json": "JSONFormat holds plain text: AccessLogsConfig.Validate wants JSON there",
    D
    + "docs--reference--config-entry--service-resolver/9.hcl": "Failover key v2 names no subset of the entry (no Subsets): Validate refuses it",
    D
    + "docs--reference--config-entry--service-resolver/11.json": "Failover key v2 with no Subsets (JSON twin of 9.hcl)",
    # --- fragments the MANIFEST counts as complete ---
    D
    + "api-docs--discovery-chain/6.hcl": "three entries (resolver, service-defaults, splitter) run together in one snippet: "
    "as one file Consul decodes the last Kind (service-splitter) and refuses the others' keys",
    D
    + "api-docs--discovery-chain/9.hcl": "three entries (resolver, proxy-defaults, router) run together in one snippet: "
    "as one file Consul decodes the last Kind (service-router) and refuses the others' keys",
    D + "docs--reference--architecture--capacity/1.yaml": "fragment: server.resources shown at the top level",
    D + "docs--register--service--k8s--service-sync/13.yaml": "fragment: syncCatalog keys shown at the top level",
    D + "docs--register--service--k8s--service-sync/14.yaml": "fragment: syncCatalog keys at the top level",
    D + "docs--reference--proxy--connect-proxy/6.hcl": "fragment: one upstream's fields at the top level",
    D + "docs--reference--proxy--connect-proxy/7.json": "fragment: one upstream (JSON)",
    D + "docs--connect--proxy--sidecar/7.json": "a bare service definition (no service wrapper), read as an agent file",
    D + "docs--reference--proxy--sidecar/0.json": "a bare service definition read as an agent file",
    D + "docs--reference--service--index/16.json": "a bare multi-port service definition read as an agent file",
    D
    + "docs--multi-tenant--namespace--vm--delegate-token-management/1.hcl": "Enterprise namespace ACL rules taken for an agent file",
    "corpus/consul-k8s/samples/acceptance/tests/fixtures/bases/exportedservices-default/exportedservices-default.yaml": "kustomize base with no services; the cases patch them in",
    "corpus/consul-k8s/samples/acceptance/tests/fixtures/bases/exportedservices-secondary/exportedservices-secondary.yaml": "kustomize base, patched later",
    "corpus/consul-k8s/samples/acceptance/tests/fixtures/bases/sameness/exportedservices-ap1/exportedservices-ap1.yaml": "kustomize base, patched later",
    # --- not Consul files: Consul-Terraform-Sync and Nomad fragments (whole CTS configs
    # are recognised as another tool's: linter.model.foreign) ---
    D + "docs--automate--infrastructure--module/0.hcl": "Consul-Terraform-Sync configuration",
    D + "docs--reference--cts--index/3.hcl": "Consul-Terraform-Sync configuration",
    D + "docs--register--service--nomad/1.hcl": "a Nomad job's service block",
    D + "docs--register--service--nomad/2.hcl": "a Nomad job's service block",
}


def _complete() -> set[str]:
    out = set()
    for folder in ("consul-docs", "consul-k8s"):
        with open(os.path.join(CORPUS, folder, "MANIFEST.tsv"), encoding="utf-8") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                if (
                    row.get("parses", "yes") == "yes"
                    and not row.get("fragment_reason")
                    and row.get("has_placeholder", "no") != "yes"
                ):
                    out.add(row["local_path"])
    return out


def _docs(name: str, text: str):
    parsed = parse_text(name, text)
    return [d for i, root in enumerate(parsed.documents) for d in classify(root, name, i, parsed.syntax)]


def test_every_kind_has_a_schema_that_compiles() -> None:
    import jsonschema

    names = (
        [f"entry-{k}" for k in schemacheck.ENTRY_KINDS]
        + [f"crd-{k.lower()}" for k in schemacheck.CRD_KINDS]
        + list(schemacheck.OTHER.values())
    )
    for name in names:
        schema = schemacheck.load_schema(name)
        jsonschema.validators.validator_for(schema).check_schema(schema)
        assert schema.get("x-spelling"), name


def test_validators_are_compiled_once_per_process(tmp_path) -> None:
    (tmp_path / "a.hcl").write_text('Kind = "mesh"\nPeering { PeerThroughMeshGateways = true }\n')
    (tmp_path / "b.hcl").write_text('Kind = "mesh"\nPeering { PeerThroughMeshGateway = true }\n')
    lint(str(tmp_path), select=list(CODES))
    before = schemacheck.VALIDATOR_BUILDS
    for _ in range(3):
        lint(str(tmp_path), select=list(CODES))
    assert schemacheck.VALIDATOR_BUILDS == before
    assert schemacheck.VALIDATOR_BUILDS <= len(os.listdir(schemacheck.SCHEMA_DIR))


def test_generated_schemas_are_current() -> None:
    if not os.path.isdir(CORPUS):
        pytest.skip("../shared/corpus is not present")
    run = subprocess.run(
        [sys.executable, os.path.join(REPO, "tools", "gen_schemas.py"), "--check"], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_hostile_input_never_raises() -> None:
    deep = (
        'service {\n  name = "x"\n  connect {\n'
        + "    sidecar_service { connect {\n" * 300
        + "    }}\n" * 300
        + "  }\n}\n"
    )
    samples = {
        "deep.hcl": deep,
        "mixed.json": json.dumps(
            {"Kind": "service-intentions", "Name": 5, "Sources": [None, 3, "x", {"Permissions": {"HTTP": [1, 2]}}]}
        ),
        "crd.yaml": "apiVersion: consul.hashicorp.com/v1alpha1\nkind: Mesh\nspec: [1, 2]\n",
        "crd2.yaml": "apiVersion: consul.hashicorp.com/v1alpha1\nkind: PeeringAcceptor\nspec:\n  peer: 7\n",
        "acl.hcl": 'service "web" { policy = ["read"] }\nmesh = 3\n',
        "router.json": json.dumps(
            {
                "Kind": "service-router",
                "Name": "a",
                "Routes": [1, None, {"Match": "x"}, {"Match": {"HTTP": {"Header": "x", "Methods": [1, None]}}}],
            }
        ),
        "splitter.json": json.dumps({"Kind": "service-splitter", "Splits": [1, {"Weight": "abc"}, {"Weight": 1e300}]}),
        "crd3.yaml": (
            "apiVersion: consul.hashicorp.com/v1alpha1\nkind: ServiceSplitter\nmetadata: 7\n"
            "spec: {splits: [1, {weight: .inf}, {weight: 1e50}]}\n---\n"
            "apiVersion: consul.hashicorp.com/v1alpha1\nkind: ServiceRouter\nmetadata: {name: x}\n"
            "spec: {routes: [1, {match: {http: [1]}}, {match: {http: {header: [1]}}, destination: {prefixRewrite: 3}}]}\n"
        ),
    }
    for name, text in samples.items():
        for doc in _docs(name, text):
            schemacheck.issues(doc)  # must not raise


def test_weak_typing_matches_consul() -> None:
    docs = _docs("e.hcl", 'Kind = "mesh"\nPeering { PeerThroughMeshGateways = "true" }\n')
    assert schemacheck.issues(docs[0]) == []
    docs = _docs("e.hcl", 'Kind = "mesh"\nPeering { PeerThroughMeshGateways = "maybe" }\n')
    assert [i.kind for i in schemacheck.issues(docs[0])] == ["type"]


def test_corpus_has_no_false_shape_findings() -> None:
    if not os.path.isdir(CORPUS):
        pytest.skip("../shared/corpus is not present")
    result = lint(SHARED, select=list(CODES), paths=["corpus"])
    complete = _complete()
    flagged = {f.path for f in result.findings if f.code in CODES}
    unexpected = sorted(p for p in flagged if p in complete and p not in EXCEPTIONS)
    assert not unexpected, unexpected
    stale = sorted(p for p in EXCEPTIONS if p not in flagged)
    assert not stale, f"exceptions that no longer fire: {stale}"
