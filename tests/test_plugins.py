"""Third-party rules load through the ``peerlint.rules`` entry-point group, as the
built-in ones do, and the cached entry-point lookup (linter/entrypoints.py) sees a
plugin installed or removed on the very next run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

from linter.entrypoints import EntryPoint

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

PLUGIN = """
from linter.api import Rule


class NoMeshEntry(Rule):
    code = "AC101"
    slug = "acme-no-mesh"
    summary = "acme: every repository needs a mesh entry"

    def check(self, project):
        entries = list(project.of("config-entry"))
        if entries and not any(doc.kind == "mesh" for doc in entries):
            yield self.report(entries[0], "acme wants a mesh config entry")
"""


def _install_plugin(site: str) -> str:
    """A distribution the way pip lays one out: a module and its dist-info."""
    with open(os.path.join(site, "acme_peerlint_rules.py"), "w", encoding="utf-8") as handle:
        handle.write(PLUGIN)
    info = os.path.join(site, "acme_peerlint_rules-1.0.dist-info")
    os.makedirs(info)
    with open(os.path.join(info, "METADATA"), "w", encoding="utf-8") as handle:
        handle.write("Metadata-Version: 2.1\nName: acme-peerlint-rules\nVersion: 1.0\n")
    with open(os.path.join(info, "entry_points.txt"), "w", encoding="utf-8") as handle:
        handle.write("[peerlint.rules]\nacme = acme_peerlint_rules\n")
    return info


def _run(args: list[str], site: str, cache: str, cwd: str, **extra: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([site, REPO]), XDG_CACHE_HOME=cache, NO_COLOR="1", **extra)
    script = "import sys; from linter.cli import main; sys.exit(main())"  # sys.path[0] stays fixed
    return subprocess.run(
        [sys.executable, "-c", script, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_a_plugin_is_found_installed_and_forgotten_removed(tmp_path) -> None:
    site, cache, work = tmp_path / "site", tmp_path / "cache", tmp_path / "work"
    for folder in (site, cache, work):
        folder.mkdir()
    (work / "exports.hcl").write_text('Kind = "exported-services"\nName = "default"\nServices = []\n')

    before = _run(["rules"], str(site), str(cache), str(work))
    assert before.returncode == 0 and "AC101" not in before.stdout and "PL101" in before.stdout

    info = _install_plugin(str(site))
    listed = _run(["rules"], str(site), str(cache), str(work))
    assert listed.returncode == 0 and "AC101" in listed.stdout, listed.stderr
    checked = _run(["check", "."], str(site), str(cache), str(work))
    assert "AC101" in checked.stdout and checked.returncode == 1, checked.stdout + checked.stderr
    stored = json.loads((cache / "peerlint" / "entry-points.json").read_text())
    assert ["acme", "acme_peerlint_rules"] in stored["groups"]["peerlint.rules"][0]["eps"]
    again = _run(["rules"], str(site), str(cache), str(work))  # answered from the cache
    assert "AC101" in again.stdout

    shutil.rmtree(info)  # uninstalled: its folder changed, so the cache is not used
    after = _run(["rules"], str(site), str(cache), str(work))
    assert after.returncode == 0 and "AC101" not in after.stdout, after.stdout


def test_a_damaged_or_stale_cache_is_read_again(tmp_path) -> None:
    site, cache, work = tmp_path / "site", tmp_path / "cache", tmp_path / "work"
    for folder in (site, cache, work):
        folder.mkdir()
    _install_plugin(str(site))
    (cache / "peerlint").mkdir()
    stale = {"version": 2, "groups": {"peerlint.rules": [{"key": ["x"], "eps": []}]}}
    odd = {"version": 2, "groups": {"peerlint.rules": {"key": 1}}}
    for junk in ("{not json", json.dumps(stale), json.dumps(odd), "[]", json.dumps({"version": 1, "groups": {}})):
        (cache / "peerlint" / "entry-points.json").write_text(junk)
        listed = _run(["rules"], str(site), str(cache), str(work))
        assert listed.returncode == 0 and "AC101" in listed.stdout, listed.stderr
    off = _run(["rules"], str(site), str(cache), str(work), PEERLINT_NO_PLUGIN_CACHE="1")
    assert "AC101" in off.stdout


def test_entry_point_values_load_as_importlib_metadata_loads_them() -> None:
    from importlib.metadata import EntryPoint as Reference

    for value in ("linter.rules", "linter.api:Rule", "linter.nodes:Span.point", "linter.api:Rule [extra]"):
        assert EntryPoint("x", value).load() is Reference("x", value, "g").load()


def test_several_import_paths_are_remembered(tmp_path, monkeypatch) -> None:
    import importlib.metadata

    from linter import entrypoints

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("PEERLINT_NO_PLUGIN_CACHE", raising=False)
    scans = []
    real = importlib.metadata.entry_points
    monkeypatch.setattr(importlib.metadata, "entry_points", lambda **kw: scans.append(kw) or real(**kw))
    key = ["a"]
    monkeypatch.setattr(entrypoints, "path_key", lambda: list(key))
    for name in ["a", "b", "a", "b", "c", "a"]:
        key[:] = [name]
        assert [ep.value for ep in entrypoints.entry_points("peerlint.rules")] == ["linter.rules"]
    assert len(scans) == 3  # one scan per import path, then answered from the cache
