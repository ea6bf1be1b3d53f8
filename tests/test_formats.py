"""CI and editor output formats (github, gcc, junit, gitlab) and several outputs in one
run. Synthetic findings test escaping and edge cases; CLI runs test the wiring."""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET

import pytest

from linter.api import Finding, Fix, Location
from linter.cli import main
from linter.nodes import Span
from linter.report import FORMATS, ReportInput, renderer
from linter.rules.pl002_unknown_kind import UnknownKind

# VS Code's built-in $gcc problem matcher (src/vs/workbench/contrib/tasks/common/problemMatcher.ts)
VSCODE_GCC = re.compile(r"^(.*?):(\d+):(\d*):?\s+(?:fatal\s+)?(warning|error):\s+(.*)$")


def _finding(
    message: str = "bad", severity: str = "error", path: str = "dir/a,b:c.hcl", span=Span(3, 5, 3, 12), **kw
) -> Finding:
    return Finding("PL002", severity, message, path, span, resource="exported-services/default", node_path="Kind", **kw)


def _data(*findings: Finding, files=()) -> ReportInput:
    return ReportInput(list(findings), {"PL002": UnknownKind}, {}, len(files), False, "0.0", files=list(files))


def _unescape(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")


def test_every_format_is_registered() -> None:
    assert {"text", "json", "sarif", "github", "gcc", "junit", "gitlab"} <= set(FORMATS)


def test_github_workflow_command_and_escaping() -> None:
    f = _finding(
        "50% of peers\r\nfail: a, b",
        fix=Fix('set Peer = "dc2"'),
        related=[Location("other.hcl", Span(1, 1, 1, 4), "peered here")],
    )
    out = renderer("github")(_data(f))
    (line,) = out.splitlines()
    match = re.fullmatch(r"::error (?P<props>[^:]*)::(?P<msg>.*)", line)
    assert match, line
    props = dict(p.split("=", 1) for p in match.group("props").split(","))
    assert {k: _unescape(v) for k, v in props.items()} == {
        "file": "dir/a,b:c.hcl",
        "line": "3",
        "col": "5",
        "endLine": "3",
        "endColumn": "11",
        "title": "PL002 unknown-kind",
    }
    assert (
        _unescape(match.group("msg")) == '50% of peers\r\nfail: a, b\nother.hcl:1:1: peered here\nFix: set Peer = "dc2"'
    )
    assert "\n" not in line and "\r" not in line


@pytest.mark.parametrize("severity,command", [("error", "error"), ("warning", "warning"), ("note", "notice")])
def test_github_levels(severity, command) -> None:
    assert renderer("github")(_data(_finding(severity=severity))).startswith(f"::{command} ")


def test_github_end_column_of_a_one_character_and_multiline_span() -> None:
    point = renderer("github")(_data(_finding(span=Span(2, 7, 2, 8))))
    assert "col=7,endLine=2,endColumn=7," in point
    multi = renderer("github")(_data(_finding(span=Span(2, 7, 5, 2))))
    assert "line=2,col=7,endLine=5,endColumn=1," in multi


def test_gcc_format_matches_vscode_problem_matcher() -> None:
    findings = [
        _finding("invalid config entry kind: x", path="configs/exports.hcl"),
        _finding("only one side\npeers through gateways", severity="warning", path="m.yaml", span=Span(10, 1, 10, 3)),
        _finding(
            "a note",
            severity="note",
            path="n.json",
            span=Span(1, 2, 1, 3),
            related=[Location("other.hcl", Span(4, 2, 4, 6), "declared here")],
        ),
    ]
    lines = renderer("gcc")(_data(*findings)).splitlines()
    assert lines == [
        "configs/exports.hcl:3:5: error: invalid config entry kind: x [PL002]",
        "m.yaml:10:1: warning: only one side peers through gateways [PL002]",
        "n.json:1:2: warning: a note [PL002]",
        "other.hcl:4:2: note: declared here",
    ]
    parsed = [VSCODE_GCC.match(line) for line in lines]
    assert [m.groups() if m else None for m in parsed] == [
        ("configs/exports.hcl", "3", "5", "error", "invalid config entry kind: x [PL002]"),
        ("m.yaml", "10", "1", "warning", "only one side peers through gateways [PL002]"),
        ("n.json", "1", "2", "warning", "a note [PL002]"),
        None,  # related notes are context, not a second problem
    ]


def test_junit_is_valid_xml_with_one_case_per_file() -> None:
    f1 = _finding('kind <bad> & "quoted" \x01', path="a.hcl")
    f2 = _finding("second", path="a.hcl", span=Span(4, 1, 4, 2))
    out = renderer("junit")(_data(f1, f2, files=["a.hcl", "clean.yaml"]))
    root = ET.fromstring(out.encode("utf-8"))
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("2", "1", "0")
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert set(cases) == {"a.hcl", "clean.yaml"}
    assert cases["clean.yaml"].find("failure") is None
    failure = cases["a.hcl"].find("failure")
    assert failure.get("type") == "PL002" and failure.get("message").startswith(
        '2 problem(s); first: PL002 kind <bad> & "quoted"'
    )
    assert failure.text.splitlines() == [
        'a.hcl:3:5: error: kind <bad> & "quoted" \ufffd [PL002]',
        "a.hcl:4:1: error: second [PL002]",
    ]


def test_gitlab_code_quality() -> None:
    same_a = _finding("dup", path="a.hcl")
    same_b = _finding("dup", path="a.hcl", span=Span(9, 1, 9, 4))
    note = _finding("n", severity="note", path="b.hcl", fix=Fix("do x"))
    issues = json.loads(renderer("gitlab")(_data(same_a, same_b, note)))
    assert [i["severity"] for i in issues] == ["major", "major", "info"]
    assert len({i["fingerprint"] for i in issues}) == 3
    first = issues[0]
    assert first["check_name"] == "PL002" and first["description"] == "PL002 dup" and first["type"] == "issue"
    assert first["location"] == {
        "path": "a.hcl",
        "positions": {"begin": {"line": 3, "column": 5}, "end": {"line": 3, "column": 12}},
    }
    assert issues[2]["content"]["body"].startswith("Fix: do x")
    # the fingerprint is the line-independent identity: moving the finding keeps it
    moved = json.loads(renderer("gitlab")(_data(_finding("dup", path="a.hcl", span=Span(30, 5, 30, 12)))))
    assert moved[0]["fingerprint"] == first["fingerprint"]


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "exports.hcl").write_text('Kind = "exported-service"\nName = "default"\n')
    (tmp_path / "mesh.json").write_text('{"Kind": "mesh"}\n')
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_several_outputs_in_one_run(project, capsys) -> None:
    code = main(
        [
            "check",
            "--select",
            "PL002",
            "--format",
            "gcc",
            "--output-format",
            "sarif=peerlint.sarif",
            "--output-format",
            "junit=junit.xml",
            "--output-format",
            "gitlab=gl.json",
            "--output-format",
            "github=gh.txt",
            ".",
        ]
    )
    assert code == 1
    assert (
        capsys.readouterr().out
        == "exports.hcl:1:8: error: invalid config entry kind: exported-service; did you mean 'exported-services'? [PL002]\n"
    )
    sarif = json.loads((project / "peerlint.sarif").read_text())
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["PL002"]
    suite = ET.parse(project / "junit.xml").getroot().find("testsuite")
    assert (suite.get("tests"), suite.get("failures")) == ("2", "1")
    assert json.loads((project / "gl.json").read_text())[0]["location"]["path"] == "exports.hcl"
    assert (project / "gh.txt").read_text().startswith("::error file=exports.hcl,line=1,col=8,endLine=1,endColumn=25,")
    assert not [n for n in os.listdir(project) if n.startswith(".peerlint-")]  # atomic writes leave nothing behind


def test_output_format_errors_are_usage_errors(project, capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["check", "--output-format", "nope=x", "."])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["check", "--format", "gcc", "--output-format", "json", "."])
    assert exc.value.code == 2
    assert "only one output may go to standard output" in capsys.readouterr().err


def test_unwritable_output_is_exit_2(project, capsys) -> None:
    code = main(
        ["check", "--select", "PL002", "--output-format", "junit=missing/dir/junit.xml", "--format", "text", "."]
    )
    err = capsys.readouterr().err
    assert code == 2 and "cannot write" in err and "missing/dir" in err and "Traceback" not in err
