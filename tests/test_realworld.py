"""Repository layouts as real teams publish them (tests/realworld/<layout>/, each with a
README saying where its shape comes from), linted through the real CLI with **no**
peerlint.toml: every finding must be one Consul, consul-k8s or the mesh would confirm
(the planted defects, listed in the layout's expected.txt as ``path:line:col severity
CODE``), and nothing else.

Each layout is copied to a temporary folder first, so that no configuration above the
repository (a pyproject.toml with [tool.peerlint]) can be found.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from helpers import REPO

LAYOUTS_DIR = os.path.join(REPO, "tests", "realworld")
LAYOUTS = sorted(d for d in os.listdir(LAYOUTS_DIR) if os.path.isdir(os.path.join(LAYOUTS_DIR, d)))


def _run(folder: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=REPO)
    return subprocess.run(
        [sys.executable, "-m", "linter", *args], cwd=folder, env=env, capture_output=True, text=True, timeout=120
    )


def _expected(layout: str) -> list[str]:
    with open(os.path.join(LAYOUTS_DIR, layout, "expected.txt"), encoding="utf-8") as handle:
        return [line.strip() for line in handle if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_layout_gets_exactly_its_planted_defects(layout: str, tmp_path) -> None:
    folder = str(tmp_path / layout)
    shutil.copytree(os.path.join(LAYOUTS_DIR, layout), folder, ignore=shutil.ignore_patterns("expected.txt"))
    assert not any(os.path.exists(os.path.join(folder, n)) for n in ("peerlint.toml", ".peerlint.toml"))
    done = _run(folder, "check", "--no-cache", "--format", "json", ".")
    assert done.returncode in (0, 1), done.stderr
    report = json.loads(done.stdout)
    got = sorted(
        f"{f['path']}:{f['range']['start']['line']}:{f['range']['start']['column']} {f['severity']} {f['code']}"
        for f in report["findings"]
    )
    assert got == sorted(_expected(layout)), "\n".join(
        f"{f['path']}:{f['range']['start']['line']} {f['code']} {f['message']}" for f in report["findings"]
    )


@pytest.mark.parametrize("layout", LAYOUTS)
def test_layout_has_a_readme_saying_where_it_comes_from(layout: str) -> None:
    with open(os.path.join(LAYOUTS_DIR, layout, "README.md"), encoding="utf-8") as handle:
        text = handle.read()
    assert "Shape:" in text and "Planted defects" in text


def test_text_output_says_what_was_inferred_on_stderr(tmp_path) -> None:
    folder = str(tmp_path / "layout")
    shutil.copytree(os.path.join(LAYOUTS_DIR, "vm-dc-consul-d"), folder)
    done = _run(folder, "check", "--no-cache", ".")
    notes = [line for line in done.stderr.splitlines() if "inferred" in line]
    assert len(notes) == 1, done.stderr
    assert "dc1 (dc1)" in notes[0] and "dc2 (dc2)" in notes[0] and "[clusters.NAME] paths" in notes[0]
    assert "inferred" not in done.stdout


def test_init_pins_the_inference_and_the_pinned_run_agrees(tmp_path) -> None:
    """peerlint init writes a config that loads, names the clusters it inferred, and a
    run with it finds what the zero-config run found; a second init refuses (exit 2)."""
    folder = str(tmp_path / "layout")
    shutil.copytree(os.path.join(LAYOUTS_DIR, "k8s-cluster-helm"), folder)
    before = json.loads(_run(folder, "check", "--no-cache", "--format", "json", ".").stdout)
    done = _run(folder, "init")
    assert done.returncode == 0, done.stderr
    with open(os.path.join(folder, "peerlint.toml"), encoding="utf-8") as handle:
        text = handle.read()
    assert "[clusters.east]" in text and "[clusters.west]" in text and 'paths = ["k8s/east"]' in text
    assert "[[peerings]]" in text
    after = json.loads(_run(folder, "check", "--no-cache", "--format", "json", ".").stdout)
    assert [(f["code"], f["path"]) for f in after["findings"]] == [(f["code"], f["path"]) for f in before["findings"]]
    again = _run(folder, "init")
    assert again.returncode == 2 and "not overwriting" in again.stderr
    with open(os.path.join(folder, "peerlint.toml"), encoding="utf-8") as handle:
        assert handle.read() == text


@pytest.mark.parametrize("layout", LAYOUTS)
def test_init_writes_a_config_that_loads_and_loses_no_true_defect(layout: str, tmp_path) -> None:
    """Whatever the layout (names with slashes, split folders, partitions), the written
    peerlint.toml is valid, and pinning the inference keeps every planted finding."""
    folder = str(tmp_path / layout)
    shutil.copytree(os.path.join(LAYOUTS_DIR, layout), folder, ignore=shutil.ignore_patterns("expected.txt"))
    assert _run(folder, "init").returncode == 0
    done = _run(folder, "check", "--no-cache", "--format", "json", ".")
    assert done.returncode in (0, 1), done.stderr
    got = {(f["path"], f["code"]) for f in json.loads(done.stdout)["findings"]}
    planted = {(line.split(":")[0], line.split()[-1]) for line in _expected(layout)}
    assert planted <= got, done.stdout
