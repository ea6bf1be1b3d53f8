"""Helm values judged against the chart version the cluster runs (issue #14, item 6)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from linter.config import load_config
from linter.engine import check
from linter.registry import load_rules

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MIRROR = "/work/.mirror/hashicorp+consul-k8s/repo"


def _pl101(tmp_path, values: str, config: str = "") -> list[tuple[str, str, int]]:
    (tmp_path / "values.yaml").write_text(values)
    if config:
        (tmp_path / "peerlint.toml").write_text(config)
    result = check([str(tmp_path)], load_config(str(tmp_path)), load_rules(), select=["PL101"])
    return [(f.severity, f.message, f.span.line) for f in result.findings]


def test_the_table_covers_every_minor() -> None:
    with open(os.path.join(ROOT, "schemas", "helm-keys.json"), encoding="utf-8") as handle:
        data = json.load(handle)
    assert data["versions"][0].startswith("0.") and "1.0" in data["versions"]
    assert data["keys"]["global.imageConsulDataplane"].startswith("1.0-")
    assert data["keys"]["global.imageEnvoy"] == "0.49-0.49+"


def test_a_key_the_pinned_version_reads_never_fires(tmp_path) -> None:
    values = "global:\n  datacenter: dc1\n  imageK8S: hashicorp/consul-k8s-control-plane:0.49.8\n  imageEnvoy: envoyproxy/envoy:v1.22\n"
    assert _pl101(tmp_path, values) == []


def test_a_dropped_key_names_the_version_that_dropped_it(tmp_path) -> None:
    values = "global:\n  datacenter: dc1\n  imageK8S: hashicorp/consul-k8s-control-plane:1.3.2\n  imageEnvoy: envoyproxy/envoy:v1.22\n"
    assert _pl101(tmp_path, values) == [
        (
            "warning",
            'unknown value "global.imageEnvoy": the consul chart 1.3 does not read it (chart 1.0 dropped it; read up to 0.49)',
            4,
        )
    ]


def test_the_configured_version_is_used_and_unknown_keys_are_warnings(tmp_path) -> None:
    values = "global:\n  datacenter: dc1\n  imageConsulDataplane: hashicorp/consul-dataplane:1.0.0\nmeshGateway:\n  replica: 2\n"
    found = _pl101(tmp_path, values, 'consul-k8s-version = "0.49.0"\n')
    assert found == [
        (
            "warning",
            'unknown value "global.imageConsulDataplane": the consul chart 0.49 does not read it (chart 1.0 added it)',
            3,
        ),
        (
            "warning",
            "unknown value \"meshGateway.replica\": the consul chart 0.49 does not read it; did you mean 'replicas'?",
            5,
        ),
    ]


def test_no_version_known_only_never_read_keys_fire(tmp_path) -> None:
    values = (
        "global:\n  datacenter: dc1\n  imageEnvoy: envoyproxy/envoy:v1.22\n  imageConsulDataplane: x\n  nmae: consul\n"
    )
    found = _pl101(tmp_path, values)
    assert [m for _s, m, _l in found] == [
        "unknown value \"global.nmae\": no consul chart from 0.49 to 2.0 reads it; did you mean 'name'?"
    ]


@pytest.mark.skipif(not os.path.isdir(MIRROR), reason="no consul-k8s clone (fetch github:hashicorp/consul-k8s)")
@pytest.mark.parametrize("tool", ["gen_helm_keys.py", "gen_kinds.py"])
def test_generated_tables_are_current(tool: str) -> None:
    done = subprocess.run(
        [sys.executable, os.path.join(ROOT, "tools", tool), "--repo", MIRROR, "--check"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_an_umbrella_chart_pins_the_version(tmp_path) -> None:
    (tmp_path / "Chart.yaml").write_text(
        "name: platform\ndependencies:\n  - name: consul\n    version: 1.3.2\n    repository: https://helm.releases.hashicorp.com\n"
    )
    values = "consul:\n  global:\n    datacenter: dc1\n    imageEnvoy: envoyproxy/envoy:v1.22\n"
    assert _pl101(tmp_path, values) == [
        (
            "warning",
            'unknown value "global.imageEnvoy": the consul chart 1.3 does not read it (chart 1.0 dropped it; read up to 0.49)',
            4,
        )
    ]
    (tmp_path / "Chart.yaml").write_text("name: platform\ndependencies:\n  - name: consul\n    version: ~1.3.0\n")
    assert _pl101(tmp_path, values) == []  # a range pins no one version; 0.49 read it


def test_a_helmfile_names_consul_values_and_pins_the_version(tmp_path) -> None:
    (tmp_path / "values").mkdir()
    (tmp_path / "helmfile.yaml").write_text(
        "releases:\n  - name: consul\n    chart: hashicorp/consul\n    version: 1.3.2\n    values:\n"
        "      - values/consul-{{ .Environment.Name }}.yaml\n"
        "  - name: vault\n    chart: hashicorp/vault\n    values:\n      - values/vault.yaml\n"
    )
    (tmp_path / "values" / "consul-prod.yaml").write_text("server:\n  replica: 5\n")
    (tmp_path / "values" / "vault.yaml").write_text("server:\n  ha:\n    enabled: true\nglobal:\n  enabled: true\n")
    result = check([str(tmp_path)], load_config(str(tmp_path)), load_rules(), select=["PL101"])
    assert [(f.path.rsplit("/", 1)[-1], f.message) for f in result.findings] == [
        (
            "consul-prod.yaml",
            "unknown value \"server.replica\": the consul chart 1.3 does not read it; did you mean 'replicas'?",
        )
    ]
