"""Unit tests of linter.k8s (annotation parser, versions, layered Helm values) and the
corpus check for the PL6xx/PL7xx rules."""

from __future__ import annotations

import os

import pytest
from helpers import SHARED, all_rules, lint

from linter import versions
from linter.k8s.upstreams import parse_upstreams, target_with_peer, unlabeled_peer_hint

MINE = ("PL601", "PL602", "PL603", "PL701", "PL702")


@pytest.mark.parametrize(
    "text,ns,service,peer,extra",
    [
        ("upstream1.svc:1234", False, "upstream1", None, None),
        ("upstream1.svc.peer1.peer:1234", False, "upstream1", "peer1", None),
        ("upstream1.svc.ns1.ns.peer1.peer:1234", True, "upstream1", "peer1", ("namespace", "ns1")),
        ("upstream1.svc.ns1.ns.part1.ap:1234", True, "upstream1", None, ("partition", "part1")),
        ("upstream1:1234:dc1", False, "upstream1", None, ("datacenter", "dc1")),
        ("upstream.foo.bar:1234", True, "upstream", None, ("partition", "bar")),
        (
            "upstream1.ns1.part1:1234:dc2?destination_port=http-route-b&mesh_gateway_mode=local",
            True,
            "upstream1",
            None,
            ("datacenter", "dc2"),
        ),
    ],
)
def test_accepted_upstreams(text, ns, service, peer, extra) -> None:
    (up,) = parse_upstreams(text, namespaces=ns)
    assert up.error is None
    assert up.service.value == service and text[up.service.start : up.service.end] == service
    assert (up.peer.value if up.peer else None) == peer
    if extra:
        part = getattr(up, extra[0])
        assert part.value == extra[1] and text[part.start : part.end] == extra[1]


@pytest.mark.parametrize(
    "text,ns,message,where",
    [
        (
            "upstream1.svc.ns1.ns.part1.err:1234",
            True,
            "upstream structured incorrectly: upstream1.svc.ns1.ns.part1.err:1234",
            "upstream1.svc.ns1.ns.part1.err:1234",
        ),
        (
            "upstream1.svc.err:1234",
            False,
            "upstream structured incorrectly: upstream1.svc.err:1234",
            "upstream1.svc.err:1234",
        ),
        (
            "upstream1.svc.peer1.peer:1234",
            True,
            "upstream structured incorrectly: upstream1.svc.peer1.peer:1234",
            "upstream1.svc.peer1.peer:1234",
        ),
        (
            "upstream1:1234:mesh_gateway_mode=invalid",
            False,
            'invalid upstream mesh gateway mode "invalid" in "upstream1:1234:mesh_gateway_mode=invalid"',
            "invalid",
        ),
        ("a:1 b:2", False, 'invalid upstream local bind port "1 b" in "a:1 b:2"', "1 b"),
        ("a:08080", False, 'invalid upstream local bind port "08080" in "a:08080"', "08080"),
        ("a:1:peer=x", False, 'unsupported upstream option "peer" in "a:1:peer=x"', "peer"),
    ],
)
def test_rejected_upstreams(text, ns, message, where) -> None:
    (up,) = parse_upstreams(text, namespaces=ns)
    assert up.error is not None and up.error.message == message
    assert text[up.error.start : up.error.end] == where


def test_go_integer_ports_and_v1_grammar() -> None:
    assert [u.local_port for u in parse_upstreams("a:0x1F90, b:0o17, c:70000")] == [8080, 15, 70000]
    v1 = parse_upstreams("a:0, b", version=(1, 9, 0))
    assert [u.error.reason for u in v1] == ["dropped", "panic"]
    (up,) = parse_upstreams("a:1:dc2?mesh_gateway_mode=local", version=(1, 9, 0))
    assert up.datacenter.value == "dc2?mesh_gateway_mode=local" and up.mesh_gateway_mode is None


def test_unlabelled_peer_hint() -> None:
    (up,) = parse_upstreams("api.peer1.peer:9091")
    assert unlabeled_peer_hint(up).value == "api.peer1.peer"
    (up,) = parse_upstreams("api.svc.peer1.peer:9091")
    assert unlabeled_peer_hint(up) is None


@pytest.mark.parametrize(
    "target,ns,rewritten",
    [
        ("api", False, "api.svc.dc2.peer"),
        ("api.svc", False, "api.svc.dc2.peer"),
        ("api.svc.team.ns", True, "api.svc.team.ns.dc2.peer"),
        ("api.team", True, "api.svc.team.ns.dc2.peer"),
        ("api", True, None),  # the namespace is the injector's choice: no sure spelling
        ("api.team.ap1", True, None),  # a partition and a peer cannot share an entry
        ("api.svc.dc1.dc", False, None),
        ("web", False, None),  # another service
    ],
)
def test_annotation_target_with_peer(target: str, ns: bool, rewritten: str | None) -> None:
    """PL403's annotation fix: the rewritten entry reads back, under the grammar of the
    same install, as the same service and namespace, now in the peer."""
    assert target_with_peer(target, "api", "dc2", ns) == rewritten
    if rewritten is None:
        return
    (before,) = parse_upstreams(f"{target}:9001", namespaces=ns)
    (after,) = parse_upstreams(f"{rewritten}:9001", namespaces=ns)
    assert after.error is None and after.service.value == "api" and after.peer.value == "dc2"
    assert (after.namespace and after.namespace.value) == (before.namespace and before.namespace.value)
    assert after.local_port == 9001


def test_versions() -> None:
    assert versions.consul_version_of("hashicorp/consul-enterprise:1.16.0-ent") == (1, 16, 0)
    assert versions.consul_version_of("localhost:5000/consul") is None
    assert versions.consul_version_of("consul:latest") is None
    assert versions.consul_k8s_version_of("hashicorp/consul-k8s-control-plane:1.4.0") == (1, 4, 0)
    assert versions.compare((1, 14, 0), (1, 13, 9)) == 1
    assert versions.at_least(None, (1, 14, 0)) is None


def test_layered_values_point_at_the_overriding_file(tmp_path) -> None:
    (tmp_path / "values.yaml").write_text(
        "global:\n  peering:\n    enabled: true\n  tls:\n    enabled: true\nmeshGateway:\n  enabled: true\n"
    )
    (tmp_path / "values-dc2.yaml").write_text("global:\n  datacenter: dc2\n  tls:\n    enabled: false\n")
    found = [f for f in lint(str(tmp_path), select=["PL601"]).findings if f.code == "PL601"]
    assert [(f.path, f.span.line) for f in found] == [("values-dc2.yaml", 4)]
    assert found[0].related and found[0].related[0].path == "values.yaml"
    (tmp_path / "peerlint.toml").write_text('helm-values-order = ["values-dc2.yaml", "values.yaml"]\n')
    assert not [f for f in lint(str(tmp_path), select=["PL601"]).findings if f.code == "PL601"]


_ACL_VALUES = (
    "global:\n  peering:\n    enabled: true\n  tls:\n    enabled: true\n  acls:\n    manageSystemACLs: {}\n"
    "    createReplicationToken: true\nmeshGateway:\n  enabled: true\n"
)
_EXPORTS = (
    'Kind = "exported-services"\nName = "default"\nServices = [{ Name = "web", Consumers = [{ Peer = "dc2" }] }]\n'
)


@pytest.mark.parametrize(
    "written,managed",
    [
        ("true", True),
        ('"true"', True),
        ('"false"', True),
        ('"yes"', True),
        ("1", True),
        ("false", False),
        ("0", False),
        ('""', False),
        ("null", False),
    ],
)
def test_manage_system_acls_reads_alike_everywhere(tmp_path, written: str, managed: bool) -> None:
    """One values file, one answer: the chart reads ``manageSystemACLs`` with Go
    template truthiness (``{{- if .Values.global.acls.manageSystemACLs }}``), and so
    do the ACL model (PL501/PL502), PL503 and the chart fail table (PL601 #35)."""
    from linter.acl.tokens import acl_state
    from linter.k8s.helm import project_installs

    (tmp_path / "values.yaml").write_text(_ACL_VALUES.format(written))
    (tmp_path / "exports.hcl").write_text(_EXPORTS)
    result = lint(str(tmp_path), select=["PL503", "PL601"])
    cluster = tmp_path.name
    (install,) = project_installs(result.project)
    state = acl_state(result.project, cluster)
    pl503 = [f for f in result.findings if f.code == "PL503"]
    pl601 = [f for f in result.findings if f.code == "PL601" and "createReplicationToken is true" in f.message]
    assert install.truthy("global.acls.manageSystemACLs") is managed
    assert state is not None and state.managed is managed and state.enabled is managed
    assert (not pl503) is managed, [f.message for f in pl503]
    assert (not pl601) is managed, [f.message for f in pl601]


def test_helm_switches_read_with_template_truthiness(tmp_path) -> None:
    """The graph reads Helm's meshGateway/peering switches and the namespace and
    partition flags the way the chart does: a string "true" is on."""
    from linter.k8s.helm import truthy

    (tmp_path / "values.yaml").write_text(
        'global:\n  peering:\n    enabled: "true"\n  adminPartitions:\n    enabled: "true"\n    name: ap1\n'
        'meshGateway:\n  enabled: "true"\n'
    )
    project = lint(str(tmp_path), select=["PL0"]).project
    graph = project.graph
    (cluster,) = graph.clusters()
    assert [s.enabled for s in graph.peering_switches(cluster)] == [True]
    assert graph.partitions(cluster) == ["ap1"] and graph.gateways(cluster, "ap1")
    assert truthy("false") and truthy("-") and not truthy("") and not truthy(None) and not truthy(0)


_DC_VALUES = "global:\n  datacenter: {dc}\n  image: hashicorp/consul:{consul}\n  imageK8S: hashicorp/consul-k8s-control-plane:{k8s}\n"
_MESH = "apiVersion: consul.hashicorp.com/v1alpha1\nkind: Mesh\nmetadata:\n  name: mesh\nspec:\n  peering:\n    peerThroughMeshGateways: true\n"
_POD = (
    'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  annotations:\n    consul.hashicorp.com/connect-inject: "true"\n'
    '    consul.hashicorp.com/connect-service-upstreams: "api:1234:dc1:mesh_gateway_mode=local"\n'
    "spec:\n  containers:\n    - name: web\n      image: web:1\n"
)


def _multi_datacenter_folder(tmp_path) -> None:
    east = tmp_path / "east"
    east.mkdir()
    (east / "values-dc1.yaml").write_text(_DC_VALUES.format(dc="dc1", consul="1.13.2", k8s="0.49.0"))
    (east / "values-dc2.yaml").write_text(_DC_VALUES.format(dc="dc2", consul="1.17.0", k8s="2.0.0"))
    (east / "mesh.yaml").write_text(_MESH)
    (east / "web.yaml").write_text(_POD)


def test_pl601_and_pl603_read_one_install_of_a_multi_datacenter_folder(tmp_path) -> None:
    """One folder, the values of two datacenters (two installs), the cluster configured
    as dc2: PL601 (versions for peerThroughMeshGateways) and PL603 (the annotation
    grammar of the consul-k8s version) judge the cluster by the same install,
    linter.k8s.helm.install_for. dc1 runs Consul 1.13 / consul-k8s 0.49 (too old for
    peerThroughMeshGateways; v1 grammar, which reads the annotation), dc2 Consul 1.17 /
    consul-k8s 2.0 (new enough; v2 grammar, which rejects it): only PL603 may fire."""
    from linter.k8s.helm import install_for

    _multi_datacenter_folder(tmp_path)
    (tmp_path / "peerlint.toml").write_text('[clusters.east]\ndatacenter = "dc2"\npaths = ["east"]\n')
    result = lint(str(tmp_path), select=["PL601", "PL603"])
    install = install_for(result.project, "east")
    assert install is not None and install.value("global.datacenter") == "dc2"
    assert {f.code for f in result.findings} == {"PL603"}, [(f.code, f.message) for f in result.findings]
    # the graph reads the annotation with the same grammar (v2 rejects it)
    assert [u for u in result.project.graph.upstreams("east") if u.source == "annotation"] == []


def test_a_folder_of_two_datacenters_values_is_two_clusters_and_no_error_rests_on_it(tmp_path) -> None:
    """With no configuration, the same folder holds two clusters (named after their
    datacenters); the Mesh and the Pod name neither, so their cluster (and so the
    install and grammar that judge them) is a guess: no error rests on it."""
    _multi_datacenter_folder(tmp_path)
    result = lint(str(tmp_path), select=["PL601", "PL603"])
    clusters = {os.path.basename(d.path): d.cluster for d in result.project.documents}
    assert clusters["values-dc1.yaml"] == "dc1" and clusters["values-dc2.yaml"] == "dc2"
    web = os.path.join(str(tmp_path), "east", "web.yaml")
    assert result.project.inference.guess_about(web) and web in result.project.inference.unknown
    # the Pod's cluster is not known at all: nothing about its install is reported
    assert result.findings == [], [(f.code, f.message) for f in result.findings]


#: Corpus findings of these rules that are right, with why.
CORPUS_EXCEPTIONS: dict[tuple[str, str], str] = {}


@pytest.mark.parametrize("part", ["corpus/consul-k8s/values.yaml", "corpus/consul-k8s/samples", "corpus/consul-docs"])
def test_corpus_has_no_findings_of_these_rules(part: str) -> None:
    """The chart's values, the acceptance samples (each run with its own --set flags,
    so linted without the chart's default values above them) and the docs examples."""
    if not os.path.exists(os.path.join(SHARED, part)):
        pytest.skip("../shared/corpus is not present")
    rules = {c: r for c, r in all_rules().items() if c in MINE}
    result = lint(SHARED, rules=rules, paths=[part])
    wrong = [
        (f.path, f.code, f.message)
        for f in result.findings
        if f.code in MINE and (f.path, f.code) not in CORPUS_EXCEPTIONS
    ]
    assert not wrong, wrong


def test_remembered_annotation_parses_equal_fresh_ones() -> None:
    """parse_upstreams remembers (speed code): the same arguments give what a fresh
    parse gives, and a reader's list is its own (the entries are shared)."""
    from linter.k8s.upstreams import parse_annotation

    for text in ("a:1, b.svc.p.peer:2", "x:0x1F", "api.peer1.peer:9091", "", "a:1:dc2?mesh_gateway_mode=local"):
        for version in (None, (1, 9, 0), [2, 0, 3]):
            for ns in (False, True):
                first = parse_upstreams(text, version, ns)
                first.append(None)  # the caller's list, not the remembered one
                assert parse_upstreams(text, version, ns) == parse_annotation(text, version, ns)
