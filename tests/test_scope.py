"""What `peerlint check PATH` loads (linter.commands.scope): the whole project when a
configuration is found, else PATH's nearest cluster root; never above the
repository's top or, outside one, the working directory."""

from __future__ import annotations

import os

from helpers import REPO

from linter.cli import main
from linter.commands.scope import nearest_root, scope_for
from linter.config import load_config

AGENT = 'datacenter = "dc1"\nserver = true\n'


def test_checking_one_file_reports_its_cross_file_finding(monkeypatch, capsys) -> None:
    monkeypatch.chdir(os.path.join(REPO, "examples"))
    assert main(["check", "--no-cache", "--format", "gcc", "east/services/reports.hcl"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("east/services/reports.hcl:11:32: error: upstream inventory of reports names no peer")
    assert "[PL403]" in out and "west/crds/exported-services.yaml:9:17: note:" in out
    # only the named file and the findings that involve it
    assert all(line.startswith(("east/services/reports.hcl", "west/crds/")) for line in out.splitlines())
    # --no-project: the old behaviour, the file alone
    assert main(["check", "--no-cache", "--no-project", "east/services/reports.hcl"]) == 0
    capsys.readouterr()


def test_from_a_subfolder_the_project_is_still_loaded(monkeypatch, capsys) -> None:
    monkeypatch.chdir(os.path.join(REPO, "examples", "east", "services"))
    assert main(["check", "--no-cache", "--format", "gcc", "reports.hcl"]) == 1
    assert "reports.hcl:11:32: error:" in capsys.readouterr().out


def test_project_scope_reports_on_paths(tmp_path, monkeypatch) -> None:
    (tmp_path / "peerlint.toml").write_text('edition = "ce"\n')
    (tmp_path / "a").mkdir()
    monkeypatch.chdir(tmp_path)
    scope = scope_for(["a"], load_config("a"))
    assert scope.load == [str(tmp_path)] and scope.focus == ["a"]
    assert scope_for([], load_config(".")).focus is None  # the project's own folder: everything


def test_without_config_the_nearest_cluster_root_is_loaded(tmp_path, monkeypatch) -> None:
    services = tmp_path / "dc1" / "services"
    services.mkdir(parents=True)
    (tmp_path / "dc1" / "agent.hcl").write_text(AGENT)
    (services / "web.hcl").write_text('service { name = "web" }\n')
    monkeypatch.chdir(tmp_path)
    scope = scope_for(["dc1/services/web.hcl"], load_config("dc1/services/web.hcl"))
    assert scope.load == [str(tmp_path / "dc1")] and scope.focus == ["dc1/services/web.hcl"]
    # a folder that is its own root: loaded as given, everything reported
    assert scope_for(["dc1"], load_config("dc1")).focus is None


def test_root_search_stops_at_the_working_directory_or_repository_top(tmp_path, monkeypatch) -> None:
    (tmp_path / "values.yaml").write_text("global:\n  datacenter: dc9\n")  # a stray root above
    work = tmp_path / "work" / "svc"
    work.mkdir(parents=True)
    (work / "web.hcl").write_text('service { name = "web" }\n')
    monkeypatch.chdir(tmp_path / "work")
    assert nearest_root("svc/web.hcl", load_config("svc")) is None
    monkeypatch.chdir(tmp_path)  # now the stray root is inside the working directory
    assert nearest_root("work/svc/web.hcl", load_config("work")) == str(tmp_path)
    (tmp_path / "work" / ".git").mkdir()  # a repository's top bounds it again
    assert nearest_root("work/svc/web.hcl", load_config("work")) is None
