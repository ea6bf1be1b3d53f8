"""`peerlint check --new-since REV` in real git repositories (linter.commands.newsince):
the project as staged against REV, findings new anywhere in it, read from git's
objects only. The real pre-commit runs it in tests/test_precommit.py."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from helpers import REPO

from linter.cli import main

INTENTIONS = "east/config-entries/intentions-payments.hcl"
EXPORTS = "east/config-entries/exported-services.hcl"
PL401 = (
    f"{EXPORTS}:9:16: error: payments is exported to peer 'west', but no intention allows any source from peer 'west'"
)


def git(repo, *args: str) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t.invalid", GIT_COMMITTER_NAME="t")
    env.update(GIT_COMMITTER_EMAIL="t@t.invalid")
    env.pop("GIT_DIR", None)
    env.pop("GIT_INDEX_FILE", None)
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """The examples (three clusters, three findings already there) committed, plus a
    file that is not Consul's; the working directory is the repository."""
    shutil.copytree(os.path.join(REPO, "examples"), tmp_path / "r")
    repo = tmp_path / "r"
    (repo / "notes.txt").write_text("notes\n")
    (repo / "package.json").write_text('{"name": "site"}\n')
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "init")
    monkeypatch.chdir(repo)
    return repo


def run(capsys, *extra: str) -> tuple[int, str, str]:
    status = main(["check", "--new-since", "HEAD", "--format", "gcc", "--no-cache", *extra])
    out, err = capsys.readouterr()
    return status, out, err


def test_deleting_a_file_others_depend_on_is_reported(repo, capsys) -> None:
    git(repo, "rm", "-q", INTENTIONS)
    status, out, err = run(capsys)
    assert status == 1
    assert out.startswith(PL401)
    assert "4 finding(s) already present at HEAD not shown" in err


def test_an_edit_that_breaks_another_file_is_reported(repo, capsys) -> None:
    path = repo / INTENTIONS
    path.write_text(path.read_text().replace('Peer   = "west"', 'Peer   = "south"'))
    git(repo, "add", INTENTIONS)
    status, out, _ = run(capsys)
    assert status == 1 and out.startswith(PL401)
    assert INTENTIONS + ":" not in out.split("\n")[0]  # the finding is in the file nobody staged


def test_only_the_index_counts_never_the_working_tree(repo, capsys) -> None:
    os.unlink(repo / INTENTIONS)  # deleted on disk, not staged: not this commit
    status, out, _ = run(capsys)
    assert (status, out) == (0, "")
    git(repo, "add", "-A")  # staged: the commit deletes it
    (repo / INTENTIONS).write_text("restored on disk only\n")
    status, out, _ = run(capsys)
    assert status == 1 and out.startswith(PL401)


def test_old_findings_and_renames_do_not_block(repo, capsys) -> None:
    mesh = repo / "east/config-entries/mesh.hcl"
    mesh.write_text("# mesh-wide\n" + mesh.read_text())
    git(repo, "add", "-A")
    git(repo, "mv", "west/crds/exported-services.yaml", "west/crds/exports.yaml")
    status, out, err = run(capsys)
    assert (status, out) == (0, "")
    assert "4 finding(s) already present at HEAD not shown" in err


def test_a_commit_without_consul_files_returns_at_once(repo, capsys) -> None:
    (repo / "notes.txt").write_text("more notes\n")
    (repo / "package.json").write_text('{"name": "site", "version": "2"}\n')
    git(repo, "add", "-A")
    status, out, err = run(capsys)
    assert (status, out) == (0, "")
    assert "nothing to check since HEAD: no Consul file or peerlint configuration changed" in err


def test_a_new_bad_file_is_reported_and_a_config_change_relints(repo, capsys) -> None:
    (repo / "east/bad.hcl").write_text('Kind = "exported-service"\nName = "default"\n')
    git(repo, "add", "-A")
    status, out, _ = run(capsys)
    assert status == 1 and out.startswith("east/bad.hcl:1:8: error:") and "[PL002]" in out
    git(repo, "rm", "-q", "--cached", "east/bad.hcl")
    config = repo / "peerlint.toml"
    config.write_text(config.read_text().replace('[[peerings]]\na = "east"\nb = "west"\n', ""))
    git(repo, "add", "peerlint.toml")
    status, _, err = run(capsys)
    assert "nothing to check" not in err  # the staged configuration is the one linted with


def test_first_commit_and_bad_revision(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    git(tmp_path, "init", "-q")
    (tmp_path / "bad.hcl").write_text('Kind = "exported-service"\nName = "default"\n')
    git(tmp_path, "add", "-A")
    status, out, _ = run(capsys)  # HEAD is unborn: everything staged is new
    assert status == 1 and out.startswith("bad.hcl:1:8: error:")
    assert run(capsys, "--new-since", "no-such-rev")[0] == 2  # the last --new-since wins
    with pytest.raises(SystemExit) as exit:  # no PATHS: a usage error
        main(["check", "--new-since", "HEAD", "bad.hcl"])
    assert exit.value.code == 2
    capsys.readouterr()


def test_each_file_belongs_to_its_nearest_configuration(tmp_path, monkeypatch, capsys) -> None:
    """A monorepo with two projects: each is linted with its own configuration."""
    for name in ("team-a", "team-b"):
        shutil.copytree(os.path.join(REPO, "examples"), tmp_path / name)
    (tmp_path / "team-b" / "peerlint.toml").write_text(
        (tmp_path / "team-b" / "peerlint.toml").read_text() + '\n[severity]\nPL401 = "off"\n'
    )
    monkeypatch.chdir(tmp_path)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "init")
    git(tmp_path, "rm", "-q", f"team-a/{INTENTIONS}", f"team-b/{INTENTIONS}")
    status, out, _ = run(capsys)
    assert status == 1
    assert out.startswith("team-a/" + PL401)
    assert "team-b/" not in out  # PL401 is off in team-b's own configuration


def test_states_already_linted_are_remembered(repo, capsys, monkeypatch, tmp_path) -> None:
    """A hook run tried again lints nothing: both states (index and HEAD) are named
    by their blob ids and remembered; the report (code frames included) is the same."""
    import linter.engine

    calls = []
    real = linter.engine.check_loaded
    monkeypatch.setattr(linter.engine, "check_loaded", lambda *a, **k: calls.append(1) or real(*a, **k))
    git(repo, "rm", "-q", INTENTIONS)
    cached = ["--format", "text", "--cache-dir", str(tmp_path / "cache")]
    first = main(["check", "--new-since", "HEAD", *cached]), capsys.readouterr().out
    assert len(calls) == 2 and first[0] == 1 and "PL401" in first[1]
    second = main(["check", "--new-since", "HEAD", *cached]), capsys.readouterr().out
    assert len(calls) == 2 and second == first
    assert '9 |         Peer = "west"' in second[1]  # the code frame, from the index's text
    # committed: the next run's HEAD is the state just linted as the index
    git(repo, "commit", "-q", "-m", "drop")
    (repo / "east/config-entries/mesh.hcl").write_text("# mesh\n" + (repo / "east/config-entries/mesh.hcl").read_text())
    git(repo, "add", "-A")
    assert main(["check", "--new-since", "HEAD", *cached]) == 0
    assert len(calls) == 3  # only the new index state was linted
    capsys.readouterr()


def test_git_commit_all_is_checked_through_its_own_index(repo) -> None:
    """`git commit -a` stages into a temporary index (GIT_INDEX_FILE) and runs the hook
    on it: the hook reads that index, so the unstaged deletion it commits is seen."""
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text(f"#!/bin/sh\nexec {sys.executable} -m linter check --new-since HEAD --no-cache --format gcc\n")
    hook.chmod(0o755)
    env = dict(os.environ, PYTHONPATH=REPO, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t.invalid")
    env.update(GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t.invalid")
    env.pop("GIT_INDEX_FILE", None)
    os.unlink(repo / INTENTIONS)  # not staged: only `commit -a` takes it
    proc = subprocess.run(["git", "commit", "-a", "-m", "x"], cwd=repo, env=env, capture_output=True, text=True)
    assert proc.returncode == 1 and PL401 in proc.stderr + proc.stdout
    assert git(repo, "status", "--porcelain").strip() == f"D {INTENTIONS}"  # nothing was committed
    proc = subprocess.run(
        ["git", "commit", "-m", "notes only", "--allow-empty"], cwd=repo, env=env, capture_output=True
    )
    assert proc.returncode == 0  # the deletion is not staged: this commit adds nothing


def test_the_revisions_state_outlives_the_index_states(tmp_path) -> None:
    """Every hook run at one HEAD reads the revision's state and adds a new index
    state: the one it read is never the one pushed out (it was, after 8 runs, and the
    9th linted the whole revision again)."""
    from linter.commands.snapshots import KEEP, Snapshots

    store = Snapshots(str(tmp_path))
    store.put("head", [], False)
    for n in range(3 * KEEP):
        run = Snapshots(str(tmp_path))  # each hook run its own process
        assert run.get("head") == ([], False), n
        run.put(f"index-{n}", [], False)
    assert len(Snapshots(str(tmp_path))._load()) <= KEEP + 1
