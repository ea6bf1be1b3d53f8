"""Baselines: written from a run, hiding exactly the recorded findings, keyed on
identity rather than lines, reporting stale entries, refusing bad files."""

from __future__ import annotations

import json

import pytest

from linter.cli import main

BAD = 'Kind = "exported-service"\nName = "default"\n'
BAD_MESH = '{"Kind": "Mesh"}\n'


@pytest.fixture
def repo(tmp_path, monkeypatch):
    (tmp_path / "exports.hcl").write_text(BAD)
    (tmp_path / "mesh.json").write_text(BAD_MESH)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["check", "--select", "PL002", "--format", "gcc", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_write_then_apply(repo, capsys) -> None:
    code, out, err = run(capsys, "--write-baseline", "baseline.json", ".")
    assert (code, out) == (0, "") and "wrote 2 finding(s) to baseline baseline.json" in err
    data = json.loads((repo / "baseline.json").read_text())
    assert data["version"] == 1
    assert [(e["code"], e["path"], e["resource"], e["node_path"], e["count"]) for e in data["entries"]] == [
        ("PL002", "exports.hcl", "exported-service/default", "Kind", 1),
        ("PL002", "mesh.json", "Mesh/#0", "Kind", 1),
    ]
    assert "line" not in json.dumps(data["entries"]).replace("message", "")
    assert run(capsys, "--baseline", "baseline.json", ".") == (
        0,
        "",
        "peerlint: 2 finding(s) hidden by baseline baseline.json\n",
    )


def test_edit_above_old_finding_does_not_resurrect_it(repo, capsys) -> None:
    run(capsys, "--write-baseline", "baseline.json", ".")
    (repo / "exports.hcl").write_text("# a comment\n\n# and more lines above\n" + BAD)
    code, out, _ = run(capsys, "--baseline", "baseline.json", ".")
    assert (code, out) == (0, "")


def test_new_finding_of_the_same_kind_is_reported(repo, capsys) -> None:
    run(capsys, "--write-baseline", "baseline.json", ".")
    (repo / "more.hcl").write_text(BAD)
    code, out, _ = run(capsys, "--baseline", "baseline.json", ".")
    assert code == 1 and out.startswith("more.hcl:1:8: error:")


def test_stale_entries_are_reported_without_failing(repo, capsys) -> None:
    run(capsys, "--write-baseline", "baseline.json", ".")
    (repo / "mesh.json").write_text('{"Kind": "mesh"}\n')
    code, out, err = run(capsys, "--baseline", "baseline.json", ".")
    assert (code, out) == (0, "")
    assert "baseline baseline.json: 1 entry no longer match a finding" in err
    assert "  mesh.json: PL002 Mesh/#0 Kind - invalid config entry kind: Mesh" in err
    assert "prune them with: peerlint check --write-baseline baseline.json" in err


def test_partial_runs_do_not_call_entries_stale(repo, capsys) -> None:
    run(capsys, "--write-baseline", "baseline.json", ".")
    code, out, err = run(capsys, "--baseline", "baseline.json", "--project", ".", "exports.hcl")
    assert (code, out) == (0, "") and "no longer match" not in err
    code = main(["check", "--select", "PL001", "--baseline", "baseline.json", "."])
    assert code == 0 and "no longer match" not in capsys.readouterr().err


def test_baseline_works_from_another_folder(repo, capsys, monkeypatch) -> None:
    (repo / "sub").mkdir()
    (repo / "sub" / "x.hcl").write_text(BAD)
    run(capsys, "--write-baseline", "baseline.json", ".")
    monkeypatch.chdir(repo / "sub")
    assert run(capsys, "--baseline", "../baseline.json", ".")[:2] == (0, "")


@pytest.mark.parametrize(
    "content,message",
    [
        (None, "does not exist"),
        ("{not json", "is not JSON: line 1 column 2"),
        ('{"version": 9, "entries": []}', "is not a peerlint baseline"),
        ('{"version": 1, "entries": [{"code": "PL002"}]}', "entry 0 needs string fields"),
    ],
)
def test_bad_baseline_is_exit_2(repo, capsys, content, message) -> None:
    if content is not None:
        (repo / "baseline.json").write_text(content)
    code, _, err = run(capsys, "--baseline", "baseline.json", ".")
    assert code == 2 and message in err and "Traceback" not in err


def test_write_baseline_to_an_unwritable_place(repo, capsys) -> None:
    code, _, err = run(capsys, "--write-baseline", "no/such/dir/b.json", ".")
    assert code == 2 and "cannot write baseline" in err
