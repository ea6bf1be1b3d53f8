"""The zero-config project model (linter.model.roots): which folders are clusters, what
they are called, and which assignments are guesses."""

from __future__ import annotations

import os

from helpers import lint

HELM = "global:\n  datacenter: {dc}\n{extra}"
AGENT = 'datacenter = "{dc}"\nserver = true\n'
EXPORT = 'Kind = "exported-services"\nName = "default"\nServices = [{{ Name = "web", Consumers = [{{ Peer = "{peer}" }}] }}]\n'


def _write(root, files: dict[str, str]) -> str:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return str(root)


def test_container_folders_belong_to_the_cluster_above_them(tmp_path) -> None:
    folder = _write(
        tmp_path,
        {
            "vm/dc-east/consul.d/server.hcl": AGENT.format(dc="dc-east"),
            "vm/dc-east/config-entries/exports.hcl": EXPORT.format(peer="dc-west"),
            "k8s/dc-west/helm/values.yaml": HELM.format(dc="dc-west", extra=""),
            "k8s/dc-west/crds/more/exports.hcl": EXPORT.format(peer="dc-east"),
        },
    )
    project = lint(folder).project
    got = {d.path: d.cluster for d in project.documents}
    assert got["vm/dc-east/config-entries/exports.hcl"] == "dc-east"
    assert got["k8s/dc-west/crds/more/exports.hcl"] == "dc-west"
    assert not project.inference.doubts and not project.inference.guessed


def test_partitions_of_one_datacenter_share_its_name(tmp_path) -> None:
    part = "  adminPartitions:\n    enabled: true\n    name: ap1\n"
    folder = _write(
        tmp_path,
        {"server/values.yaml": HELM.format(dc="dc1", extra=""), "ap1/values.yaml": HELM.format(dc="dc1", extra=part)},
    )
    project = lint(folder).project
    assert {(d.cluster, d.partition) for d in project.documents} == {("dc1", "default"), ("dc1", "ap1")}


def test_two_agent_folders_without_a_datacenter_are_a_recorded_guess(tmp_path) -> None:
    folder = _write(
        tmp_path, {"primary/base.hcl": "peering {\n  enabled = true\n}\n", "alpha/base.hcl": "server = true\n"}
    )
    inference = lint(folder).project.inference
    assert sorted(inference.doubts) == ["alpha", "primary"]
    assert "set no datacenter" in inference.doubts["primary"]


def test_two_helm_installs_with_their_own_servers_are_two_clusters_for_sure(tmp_path) -> None:
    folder = _write(
        tmp_path,
        {  # connectInject: a key only the consul chart reads (a bare global: could be any chart's)
            "east/values.yaml": "global:\n  name: consul\nconnectInject:\n  enabled: true\n",
            "west/values.yaml": "global:\n  name: consul\nconnectInject:\n  enabled: true\n",
        },
    )
    inference = lint(folder).project.inference
    assert [r.name for r in inference.roots] == ["east", "west"] and not inference.doubts


def test_a_file_beside_two_clusters_joins_the_one_it_does_not_peer_with(tmp_path) -> None:
    folder = _write(
        tmp_path,
        {
            "k8s/values-dc1.yaml": HELM.format(dc="dc1", extra=""),
            "k8s/values-dc2.yaml": HELM.format(dc="dc2", extra=""),
            "k8s/exports.hcl": EXPORT.format(peer="dc1"),
            "k8s/mesh.hcl": 'Kind = "mesh"\n',
        },
    )
    project = lint(folder).project
    got = {d.path: d.cluster for d in project.documents}
    assert got["k8s/exports.hcl"] == "dc2" and got["k8s/values-dc1.yaml"] == "dc1"
    assert got["k8s/mesh.hcl"] == "default"
    assert any(p.endswith("mesh.hcl") for p in project.inference.unknown)


def test_a_top_level_cluster_claims_other_projects_folders_only_as_a_guess(tmp_path) -> None:
    folder = _write(
        tmp_path,
        {
            "values.yaml": HELM.format(dc="dc1", extra=""),
            "helm/values-prod.yaml": "global:\n  name: consul\n",
            "other-project/gateway/values.yaml": HELM.format(dc="dc9", extra=""),
            "enterprise-demo/crds/exports.hcl": EXPORT.format(peer="dc2"),
        },
    )
    project = lint(folder).project
    guessed = {os.path.basename(os.path.dirname(p)) for p in project.inference.guessed}
    assert guessed == {"crds"}  # not helm/ (a folder inside the cluster's own)


def test_the_summary_is_one_line_and_says_how_to_pin(tmp_path) -> None:
    files = {f"dc{i}/values.yaml": HELM.format(dc=f"dc{i}", extra="") for i in range(10)}
    inference = lint(_write(tmp_path, files)).project.inference
    line = inference.summary(str(tmp_path))
    assert "\n" not in line and "and 4 more" in line and "[clusters.NAME] paths" in line
