"""Kubernetes object identity and consul-k8s's kinds (issue #14, item 4)."""

from __future__ import annotations

from linter.config import Config
from linter.engine import check
from linter.kinds import CLUSTER_SCOPED_KINDS, CRD_KIND_TABLE, CRD_KINDS
from linter.registry import load_rules

MESH = """apiVersion: consul.hashicorp.com/v1alpha1
kind: Mesh
metadata:
  name: mesh{namespace}
spec:
  peering:
    peerThroughMeshGateways: {value}
"""


def _codes(tmp_path, files: dict[str, str]) -> list[tuple[str, str]]:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    result = check([str(tmp_path)], Config(root=str(tmp_path)), load_rules())
    return [(f.code, f.path.rsplit("/", 1)[-1]) for f in result.findings]


def test_generated_kinds_cover_recent_consul_k8s() -> None:
    for kind in ("RateLimit", "RouteExtProc", "RouteTLSSDSFilter", "ControlPlaneRequestLimit", "PeeringDialer"):
        assert kind in CRD_KINDS
    assert "RateLimit" in CLUSTER_SCOPED_KINDS and "Mesh" not in CLUSTER_SCOPED_KINDS
    assert CRD_KIND_TABLE["PeeringAcceptor"][0] == ("consul.hashicorp.com/v1alpha1",)


def test_unset_namespace_is_default_and_a_second_copy_is_an_update(tmp_path) -> None:
    found = _codes(
        tmp_path,
        {
            "base/mesh.yaml": MESH.format(namespace="", value="false"),
            "overlay/mesh.yaml": MESH.format(namespace="\n  namespace: default", value="true"),
        },
    )
    assert not [c for c in found if c[0] == "PL108"], found


def test_two_mesh_objects_are_still_a_duplicate(tmp_path) -> None:
    found = _codes(
        tmp_path,
        {
            "a/mesh.yaml": MESH.format(namespace="\n  namespace: consul", value="true"),
            "b/mesh.yaml": MESH.format(namespace="", value="true"),
        },
    )
    assert ("PL108", "mesh.yaml") in found


def test_kustomization_namespace_and_patches(tmp_path) -> None:
    found = _codes(
        tmp_path,
        {
            "base/kustomization.yaml": "namespace: consul\nresources:\n  - mesh.yaml\n",
            "base/mesh.yaml": MESH.format(namespace="", value="true"),
            "prod/kustomization.yaml": "resources:\n  - ../base\npatches:\n  - path: mesh-patch.yaml\n",
            "prod/mesh-patch.yaml": "apiVersion: consul.hashicorp.com/v1alpha1\nkind: Mesh\nmetadata:\n  name: mesh\n  namespace: consul\nspec:\n  peering: {}\n",
            "prod/mesh.yaml": MESH.format(namespace="\n  namespace: consul", value="false"),
            "ratelimit.yaml": "apiVersion: consul.hashicorp.com/v1alpha1\nkind: RateLimit\nmetadata:\n  name: global\nspec: {}\n",
        },
    )
    assert not [c for c in found if c[0] in ("PL108", "PL002")], found
