"""Reports where people look (issue #19): SARIF that GitHub code scanning renders with
the other end of a cross-file finding and a security severity, paths from the
repository root; GitHub annotations that say when GitHub drops some, and the job summary;
``explain`` by name; ``rules --format json``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from helpers import REPO

from linter.api import Finding, Location
from linter.nodes import Span
from linter.report import ReportInput, renderer
from linter.report.github import ANNOTATION_LIMIT, summary
from linter.rules.pl002_unknown_kind import UnknownKind
from linter.rules.pl802_committed_acl_token import CommittedAclToken

EXAMPLES = os.path.join(REPO, "examples")


def _run(*args: str, cwd: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "linter", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ, **(env or {})),
    )


def _finding(message: str, related=(), code: str = "PL002", path: str = "a.hcl") -> Finding:
    return Finding(code, "error", message, path, Span(1, 1, 1, 5), related=list(related))


def test_sarif_message_links_every_related_location_by_id() -> None:
    f = _finding(
        "Sources[0] is wrong", [Location("b.hcl", Span(2, 1, 2, 3), "the export"), Location("c.hcl", Span(1, 1, 1, 2))]
    )
    log = json.loads(renderer("sarif")(ReportInput([f], {"PL002": UnknownKind}, root="")))
    result = log["runs"][0]["results"][0]
    assert [r["id"] for r in result["relatedLocations"]] == [0, 1]
    text = result["message"]["text"]
    assert text.startswith("Sources\\[0\\] is wrong")  # a literal bracket is not a link
    assert "[the export](0)" in text and "[related](1)" in text


def test_sarif_paths_are_relative_to_the_repository_root(tmp_path) -> None:
    work = tmp_path / "repo"
    shutil.copytree(EXAMPLES, work / "consul")
    done = _run("check", ".", "-f", "sarif", cwd=str(work / "consul"), env={"GITHUB_WORKSPACE": str(work)})
    log = json.loads(done.stdout)
    run = log["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == (work.as_uri() + "/")
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"] for loc in r["locations"]}
    assert uris and all(u.startswith("consul/") for u in uris), uris


def test_security_rules_carry_a_security_severity_and_tag() -> None:
    log = json.loads(renderer("sarif")(ReportInput([], {"PL802": CommittedAclToken, "PL002": UnknownKind})))
    props = {r["id"]: r["properties"] for r in log["runs"][0]["tool"]["driver"]["rules"]}
    assert props["PL802"]["security-severity"] == "9.0" and "security" in props["PL802"]["tags"]
    assert "security-severity" not in props["PL002"] and "security" not in props["PL002"]["tags"]


def test_every_secret_and_acl_rule_has_a_security_severity() -> None:
    from helpers import all_rules

    for code, rule in all_rules().items():
        if code.startswith(("PL5", "PL8")):
            assert rule.security_severity is not None and 0 < rule.security_severity <= 10, code


def test_github_format_says_when_annotations_are_dropped_and_writes_the_summary(tmp_path) -> None:
    work = tmp_path / "many"
    work.mkdir()
    for i in range(ANNOTATION_LIMIT + 3):
        (work / f"e{i}.hcl").write_text('Kind = "exported-service"\nName = "default"\n')
    summary_file = tmp_path / "summary.md"
    summary_file.write_text("earlier step\n")
    done = _run("check", ".", "-f", "github", cwd=str(work), env={"GITHUB_STEP_SUMMARY": str(summary_file)})
    assert done.returncode == 1
    assert done.stdout.count("::error ") == ANNOTATION_LIMIT + 3  # all are printed; GitHub shows 10
    assert "at most 10 annotations" in done.stderr and "3 error" in done.stderr
    text = summary_file.read_text()
    assert text.startswith("earlier step\n## peerlint")  # appended, not overwritten
    assert "| [PL002 unknown-kind](" in text and f"| {ANNOTATION_LIMIT + 3} |" in text


def test_github_summary_links_findings_to_the_commit() -> None:
    data = ReportInput([_finding("bad | pipe")], {"PL002": UnknownKind}, files_checked=1, root=os.getcwd())
    env = {"GITHUB_REPOSITORY": "acme/consul", "GITHUB_SHA": "abc123", "GITHUB_SERVER_URL": "https://github.com"}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        text = summary(data)
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    assert "[a.hcl:1:1](https://github.com/acme/consul/blob/abc123/a.hcl#L1)" in text
    assert "bad \\| pipe" in text


@pytest.mark.parametrize("name", ["PL301", "pl301", "missing-mesh-gateway"])
def test_explain_accepts_a_code_or_a_name(name: str) -> None:
    done = _run("explain", name, cwd=REPO)
    assert done.returncode == 0 and done.stdout.startswith("# PL301 missing-mesh-gateway"), done.stderr


def test_explain_suggests_a_name() -> None:
    done = _run("explain", "missing-mesh-gatway", cwd=REPO)
    assert done.returncode == 2 and "did you mean missing-mesh-gateway" in done.stderr


def test_rules_as_json() -> None:
    done = _run("rules", "--format", "json", cwd=REPO)
    listed = json.loads(done.stdout)
    assert {r["code"] for r in listed} >= {"PL001", "PL301", "PL802"}
    assert all(r["help_uri"].startswith("https://") for r in listed)


@pytest.mark.parametrize("command", [["graph", "-o"], ["check", "-f", "json", "-o"], ["check", "--write-baseline"]])
def test_a_write_into_a_missing_folder_is_one_clear_line_naming_the_users_path(tmp_path, command) -> None:
    target = str(tmp_path / "missing" / "dir" / "out.file")
    done = _run(*command, target, ".", cwd=EXAMPLES)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert "cannot write" in done.stderr and target in done.stderr and ".peerlint-" not in done.stderr


def test_reports_are_written_with_the_umask_and_keep_an_existing_mode(tmp_path) -> None:
    fresh, kept = tmp_path / "fresh.json", tmp_path / "kept.json"
    kept.write_text("{}")
    os.chmod(kept, 0o640)
    old = os.umask(0o022)
    try:
        _run("check", "-f", "json", "-o", str(fresh), ".", cwd=EXAMPLES)
        _run("check", "-f", "json", "-o", str(kept), ".", cwd=EXAMPLES)
    finally:
        os.umask(old)
    assert (os.stat(fresh).st_mode & 0o777) == 0o644
    assert (os.stat(kept).st_mode & 0o777) == 0o640


@pytest.mark.parametrize(
    "args,env,colored",
    [
        (["--color", "always"], {}, True),
        (["--color", "never"], {"FORCE_COLOR": "1"}, False),
        ([], {"FORCE_COLOR": "1"}, True),
        ([], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
        ([], {"FORCE_COLOR": "1", "NO_COLOR": ""}, True),  # an empty NO_COLOR does not disable colour
        ([], {}, False),  # a pipe
        (["--no-color", "--color", "always"], {}, False),
    ],
)
def test_colour_follows_the_flag_then_the_environment(args, env, colored) -> None:
    clean = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    done = subprocess.run(
        [sys.executable, "-m", "linter", "check", *args, "."],
        cwd=EXAMPLES,
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(clean, **env),
    )
    assert ("\x1b[" in done.stdout) is colored


def test_statistics_counts_findings_per_rule() -> None:
    done = _run("check", "--statistics", ".", cwd=EXAMPLES)
    lines = done.stdout.splitlines()
    assert done.returncode == 1 and lines[-1].startswith("Found 4 problem(s)")
    assert {line.split()[1] for line in lines[:-1]} == {"PL303", "PL401", "PL403"}
