"""Issue #14, items 2 and 7, through the real CLI: no setting or path that silently
changes nothing, and the edition judged per cluster."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from helpers import REPO

EXPORT = 'Kind = "exported-services"\nName = "default"\nServices = [{ Name = "web", Consumers = [{ Peer = "dc2" }] }]\n'
TYPO = 'Kind = "proxy-defaults"\nName = "global"\nMeshGatway { Mode = "local" }\n'
GROUP = 'Kind = "sameness-group"\nName = "g"\nMembers = [{ Peer = "dc2" }]\n'


def run(folder, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=REPO)
    return subprocess.run(
        [sys.executable, "-m", "linter", *args],
        cwd=str(folder),
        env=env,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
    )


def codes(done: subprocess.CompletedProcess) -> list[str]:
    return sorted(f["code"] for f in json.loads(done.stdout)["findings"])


def project(tmp_path, config: str = "", **files: str):
    for name, text in files.items():
        path = tmp_path / name.replace("__", "/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    if config:
        (tmp_path / "peerlint.toml").write_text(config)
    return tmp_path


def test_unknown_codes_in_the_config_are_errors_with_their_line(tmp_path) -> None:
    cases = {
        'ignore = ["PL101", "PL999"]\n': ("ignore", 1),
        'select = ["PL"]\n\n[severity]\nPL301 = "error"\nPL3999 = "off"\n': ("severity", 5),
        '[per-path-ignores]\n"legacy/**" = [\n  "PL101",\n  "XX1",\n]\n': ("per-path-ignores", 4),
        'non-suppressible = ["PL88"]\n': ("non-suppressible", 1),
    }
    for config, (setting, line) in cases.items():
        folder = project(tmp_path, config, **{"a.hcl": TYPO})
        done = run(folder, "check", "--no-cache", ".")
        assert done.returncode == 2, (config, done.stdout)
        assert f"peerlint.toml:{line}:" in done.stderr and setting in done.stderr, (config, done.stderr)


def test_select_on_the_command_line_wins_over_the_configs_ignore(tmp_path) -> None:
    folder = project(tmp_path, 'ignore = ["PL1"]\n', **{"a.hcl": TYPO})
    assert codes(run(folder, "check", "--no-cache", "-f", "json", ".")) == []
    assert codes(run(folder, "check", "--no-cache", "-f", "json", "--select", "PL101", ".")) == ["PL101"]
    # a broader select does not undo a narrower ignore
    folder2 = project(tmp_path / "two", 'ignore = ["PL101"]\n', **{"a.hcl": TYPO})
    assert codes(run(folder2, "check", "--no-cache", "-f", "json", "--select", "PL1", ".")) == []


def test_repeated_select_and_ignore_accumulate(tmp_path) -> None:
    folder = project(tmp_path, **{"a.hcl": TYPO, "g.hcl": GROUP})
    both = codes(run(folder, "check", "--no-cache", "-f", "json", "--select", "PL101", "--select", "PL109", "."))
    assert both == ["PL101", "PL109"]
    none = codes(run(folder, "check", "--no-cache", "-f", "json", "--ignore", "PL101", "--ignore", "PL109", "."))
    assert "PL101" not in none and "PL109" not in none


def test_globs_that_match_nothing_are_config_errors(tmp_path) -> None:
    folder = project(tmp_path, 'include = ["clusters/**"]\n', **{"east__a.hcl": EXPORT})
    done = run(folder, "check", "--no-cache", ".")
    assert done.returncode == 2 and "peerlint.toml:1:" in done.stderr and "clusters/**" in done.stderr
    config = '[clusters.east]\npaths = ["east"]\n[clusters.west]\npaths = [\n  "wets",\n]\n'
    folder = project(tmp_path / "two", config, **{"east__a.hcl": EXPORT, "west__b.hcl": EXPORT})
    done = run(folder, "check", "--no-cache", ".")
    assert done.returncode == 2 and "peerlint.toml:5:" in done.stderr and "[clusters.west]" in done.stderr


def test_a_missing_path_is_a_usage_error_and_an_empty_folder_a_warning(tmp_path) -> None:
    folder = project(tmp_path, **{"a.hcl": EXPORT})
    done = run(folder, "check", "--no-cache", "-f", "json", "nothere.hcl")
    assert done.returncode == 2 and "no such file or folder: nothere.hcl" in done.stderr and "PL001" not in done.stdout
    (folder / "empty").mkdir()
    done = run(folder, "check", "--no-cache", "empty")
    assert done.returncode == 0 and "warning: empty holds no file peerlint reads" in done.stderr


def test_stdin_is_linted_as_the_named_file(tmp_path) -> None:
    folder = project(tmp_path, 'ignore = ["PL109"]\n', **{"a.hcl": EXPORT})
    done = run(folder, "check", "--no-cache", "-f", "json", "-", "--stdin-filename", "sub/b.hcl", stdin=TYPO)
    assert done.returncode == 1, done.stderr
    findings = json.loads(done.stdout)["findings"]
    assert [(f["code"], f["path"]) for f in findings] == [("PL101", "sub/b.hcl")]
    # the config of the named file's folder applies
    done = run(folder, "check", "--no-cache", "-f", "json", "-", "--stdin-filename", "g.hcl", stdin=GROUP)
    assert done.returncode == 0 and json.loads(done.stdout)["findings"] == []
    assert run(folder, "check", "-", stdin=TYPO).returncode == 2


ENT_VALUES = "global:\n  datacenter: dc1\n  image: hashicorp/consul-enterprise:1.17.1-ent\n"
CE_VALUES = "global:\n  datacenter: dc2\n  image: hashicorp/consul:1.17.1\n"
NAMESPACED = (
    'Kind = "service-intentions"\nName = "web"\nNamespace = "team-a"\nSources = [{ Name = "api", Action = "allow" }]\n'
)


def _pl109(done: subprocess.CompletedProcess) -> list[tuple[str, str]]:
    return sorted((f["path"], f["severity"]) for f in json.loads(done.stdout)["findings"] if f["code"] == "PL109")


def test_edition_is_inferred_per_cluster_and_an_explicit_edition_wins(tmp_path) -> None:
    files = {
        "dc1__helm__values.yaml": ENT_VALUES,
        "dc1__intentions.hcl": NAMESPACED,
        "dc2__helm__values.yaml": CE_VALUES,
        "dc2__intentions.hcl": NAMESPACED,
    }
    folder = project(tmp_path, **files)
    # dc1 is plainly Enterprise (its image): silent; dc2 plainly CE: an error
    assert _pl109(run(folder, "check", "--no-cache", "-f", "json", ".")) == [("dc2/intentions.hcl", "error")]
    config = (
        '[clusters.dc1]\npaths = ["dc1"]\nedition = "ce"\n[clusters.dc2]\npaths = ["dc2"]\nedition = "enterprise"\n'
    )
    pinned = project(tmp_path / "pinned", config, **files)
    assert _pl109(run(pinned, "check", "--no-cache", "-f", "json", ".")) == [("dc1/intentions.hcl", "error")]
    top = project(tmp_path / "top", 'edition = "enterprise"\n', **files)
    assert _pl109(run(top, "check", "--no-cache", "-f", "json", ".")) == []


def test_with_nothing_saying_the_edition_pl109_is_a_warning_that_says_so(tmp_path) -> None:
    folder = project(tmp_path, **{"intentions.hcl": NAMESPACED})
    done = run(folder, "check", "--no-cache", "-f", "json", ".")
    (finding,) = [f for f in json.loads(done.stdout)["findings"] if f["code"] == "PL109"]
    assert finding["severity"] == "warning" and "this holds only on Consul CE" in finding["message"]


def test_the_glob_coverage_matcher_decides_as_fnmatch() -> None:
    """linter.commands.coverage.glob_matcher (compiled, bisected by literal head) is
    speed code: every decision equals ``fnmatch`` on the glob or the glob as a folder."""
    import fnmatch
    import random

    from linter.commands.coverage import glob_matcher

    rng = random.Random(7)
    parts = ["dc1", "dc10", "dc2", "a", "b.hcl", "c.yaml", "x[1]", "config", "*", "**", "?", "[ab]", "[!a]", "d c"]
    for _ in range(300):
        rels = ["/".join(rng.choice(parts[:8]) for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(0, 12))]
        matches = glob_matcher(rels)
        for _ in range(10):
            glob = "/".join(rng.choice(parts) for _ in range(rng.randint(1, 3))) + rng.choice(["", "/"])
            plain = glob.rstrip("/")
            want = any(fnmatch.fnmatch(r, plain) or fnmatch.fnmatch(r, plain + "/*") for r in rels)
            assert matches(glob) == want, (glob, rels)
