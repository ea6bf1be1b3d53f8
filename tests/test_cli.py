"""End to end through the real command: subcommands, formats, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import lru_cache

import pytest
from helpers import REPO, SHARED, needs_shared

BAD = 'Kind = "exported-service"\nName = "default"\n'
GOOD = 'Kind = "mesh"\n'


def run(*args: str, cwd: str, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = dict(os.environ, **(env or {}))
    full_env.pop("NO_COLOR", None) if env is None else None
    return subprocess.run(
        [sys.executable, "-m", "linter", *args], cwd=cwd, capture_output=True, text=True, timeout=300, env=full_env
    )


@pytest.fixture
def repo(tmp_path):
    (tmp_path / "bad.hcl").write_text(BAD)
    (tmp_path / "good.hcl").write_text(GOOD)
    return tmp_path


def test_version_and_rules(tmp_path) -> None:
    from linter import __version__

    done = run("--version", cwd=str(tmp_path))
    assert done.returncode == 0 and done.stdout.strip() == f"peerlint {__version__}"
    done = run("rules", cwd=str(tmp_path))
    assert done.returncode == 0 and "PL001  parse-error" in done.stdout and "PL002  unknown-kind" in done.stdout


def test_explain_prints_the_rule_doc(tmp_path) -> None:
    done = run("explain", "pl002", cwd=str(tmp_path))
    assert done.returncode == 0
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
        assert section in done.stdout
    done = run("explain", "PL99", cwd=str(tmp_path))
    assert done.returncode == 2 and "unknown rule" in done.stderr


def test_exit_codes(repo) -> None:
    assert run("check", "good.hcl", cwd=str(repo)).returncode == 0
    bad = run("check", ".", cwd=str(repo))
    assert bad.returncode == 1
    assert "bad.hcl" in bad.stdout and "1:8" in bad.stdout and "PL002" in bad.stdout
    assert run("check", ".", "--ignore", "PL002", cwd=str(repo)).returncode == 0
    assert run("check", ".", "--select", "PL001", cwd=str(repo)).returncode == 0
    assert run("check", ".", "--select", "PL999", cwd=str(repo)).returncode == 2
    assert run("check", ".", "--format", "nope", cwd=str(repo)).returncode == 2
    assert run("check", "--bogus", cwd=str(repo)).returncode == 2
    assert run(cwd=str(repo)).returncode == 2


def test_fail_on_warning(tmp_path) -> None:
    (tmp_path / "mesh.json").write_text(
        '{"Kind": "mesh", "Peering": {"PeerThroughMeshGateways": true, "PeerThroughMeshGateways": true}}'
    )
    assert run("check", ".", "--select", "PL004", cwd=str(tmp_path)).returncode == 0
    assert run("check", ".", "--select", "PL004", "--fail-on", "warning", cwd=str(tmp_path)).returncode == 1


def test_text_output_has_caret_under_the_span(repo) -> None:
    out = run("check", "bad.hcl", "--no-color", cwd=str(repo)).stdout
    lines = out.splitlines()
    source = next(i for i, line in enumerate(lines) if 'Kind = "exported-service"' in line)
    caret_line = lines[source + 1]
    code_start = lines[source].index('"exported-service"')
    assert caret_line.index("^") == code_start and caret_line.count("^") == len('"exported-service"')
    assert "\x1b[" not in out


def test_json_output_schema(repo) -> None:
    done = run("check", ".", "--format", "json", cwd=str(repo))
    data = json.loads(done.stdout)
    assert data["version"] == 1 and data["tool"]["name"] == "peerlint"
    [finding] = data["findings"]
    assert finding["code"] == "PL002" and finding["slug"] == "unknown-kind" and finding["path"] == "bad.hcl"
    assert finding["range"] == {"start": {"line": 1, "column": 8}, "end": {"line": 1, "column": 26}}
    assert len(finding["fingerprint"]) == 32 and data["summary"]["error"] == 1


@lru_cache(maxsize=1)
def _sarif_validator():
    from jsonschema import Draft7Validator

    with open(os.path.join(SHARED, "schemas-external", "sarif-schema-2.1.0.json"), encoding="utf-8") as handle:
        schema = json.load(handle)
    return Draft7Validator(schema)


@needs_shared
def test_sarif_validates_against_the_official_schema(repo) -> None:
    (repo / "broken.yaml").write_text("a: [1\n")
    done = run("check", ".", "--format", "sarif", "--output", "out.sarif", cwd=str(repo))
    assert done.returncode == 1 and done.stdout == ""
    log = json.loads((repo / "out.sarif").read_text())
    errors = sorted(_sarif_validator().iter_errors(log), key=str)
    assert not errors, errors[0].message
    run_ = log["runs"][0]
    ids = [r["id"] for r in run_["tool"]["driver"]["rules"]]
    assert "PL001" in ids and "PL002" in ids
    results = {r["ruleId"]: r for r in run_["results"]}
    region = results["PL002"]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 1, "startColumn": 8, "endLine": 1, "endColumn": 26}
    assert run_["tool"]["driver"]["rules"][results["PL002"]["ruleIndex"]]["id"] == "PL002"


def test_sarif_fingerprints_survive_a_line_shift(repo) -> None:
    first = json.loads(run("check", "bad.hcl", "-f", "sarif", cwd=str(repo)).stdout)
    (repo / "bad.hcl").write_text("# a new comment\n\n" + BAD)
    second = json.loads(run("check", "bad.hcl", "-f", "sarif", cwd=str(repo)).stdout)
    a, b = first["runs"][0]["results"][0], second["runs"][0]["results"][0]
    assert (
        a["locations"][0]["physicalLocation"]["region"]["startLine"] + 2
        == b["locations"][0]["physicalLocation"]["region"]["startLine"]
    )
    assert a["partialFingerprints"] == b["partialFingerprints"]


def test_parse_error_is_a_finding_not_a_traceback(tmp_path) -> None:
    (tmp_path / "x.yaml").write_text("kind: Mesh\n  bad: [\n")
    done = run("check", ".", cwd=str(tmp_path))
    assert done.returncode == 1 and "PL001" in done.stdout and "Traceback" not in done.stderr + done.stdout


def test_config_is_found_by_walking_up(tmp_path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.peerlint]\nignore = ["PL002"]\n')
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "bad.hcl").write_text(BAD)
    assert run("check", ".", cwd=str(tmp_path / "sub")).returncode == 0
    (tmp_path / "pyproject.toml").write_text('[tool.peerlint]\nignores = ["PL002"]\n')
    done = run("check", ".", cwd=str(tmp_path / "sub"))
    assert done.returncode == 2 and "pyproject.toml:2:" in done.stderr and "did you mean 'ignore'" in done.stderr


def test_no_config_is_one_cluster(tmp_path) -> None:
    from linter.config import load_config

    config = load_config(str(tmp_path))
    assert config.path is None and config.clusters == {} and config.edition == "ce"


def test_an_unencodable_file_name_is_escaped_not_a_traceback(tmp_path) -> None:
    """A terminal whose encoding cannot show a file's name (PYTHONIOENCODING=ascii)
    gets the name escaped; it was a UnicodeEncodeError traceback, exit 1."""
    import subprocess
    import sys

    (tmp_path / "ménage.hcl").write_text('Kind = "mesh"\nPeering { PeerThroughMeshGateways = "yes" }\n')
    done = subprocess.run(
        [sys.executable, "-m", "linter", "check", "--no-daemon"],
        cwd=tmp_path,
        env=dict(os.environ, PYTHONIOENCODING="ascii", PYTHONPATH=REPO),
        capture_output=True,
    )
    assert done.returncode == 1, done.stderr
    assert b"m\\xe9nage.hcl" in done.stdout and b"Traceback" not in done.stderr
