"""The pre-commit hook: `.pre-commit-hooks.yaml` is a valid manifest, `check --project
DIR PATHS` loads the whole project but reports only on PATHS (and cross-file findings
involving them), and the real `pre-commit try-repo` runs the hook in a throw-away git
repository: a staged bad file fails with its finding, a clean change passes.

The try-repo test runs pre-commit twice; each builds a virtualenv and pip-installs this
repository from the package registry (about a minute each: try-repo keeps no store
between runs); without the registry it is skipped, saying why."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from typing import Iterator

import pytest
from helpers import REPO

from linter.api import Finding, Rule
from linter.cli import main
from linter.config import load_config
from linter.engine import check

BAD = 'Kind = "exported-service"\nName = "default"\n'
GOOD = 'Kind = "mesh"\n'
NETWORK_TROUBLE = re.compile(
    r"Could not find a version|No matching distribution|NewConnectionError|Temporary failure in name resolution|"
    r"Network is unreachable|ConnectTimeout|ReadTimeout|ProxyError|Max retries exceeded|Connection refused|SSLError"
)


def test_manifest_is_valid_for_pre_commit() -> None:
    clientlib = pytest.importorskip(
        "pre_commit.clientlib", reason="pre-commit is a test dependency (pip install -e '.[test]')"
    )
    (hook,) = clientlib.load_manifest(os.path.join(REPO, ".pre-commit-hooks.yaml"))
    assert hook["id"] == "peerlint" and hook["language"] == "python"
    assert hook["entry"] == "peerlint check --new-since HEAD"
    # the whole project from git, whatever is staged, added or deleted
    assert hook["pass_filenames"] is False and hook["always_run"] is True and hook["require_serial"] is True


class Peers(Rule):
    """Cross-file test rule: each exported-services Peer is reported with a related
    location in every other file that exports too."""

    code = "PL992"
    slug = "test-cross-file"
    summary = "test rule"

    def check(self, project) -> Iterator[Finding]:
        docs = list(project.of("exported-services"))
        for doc in docs:
            others = [(o.at(o.root.get("Name")), "also exports") for o in docs if o.path != doc.path]
            if others:
                yield self.report(doc.at(doc.root.get("Name")), "exports in two files", related=others[:1])


def test_focus_reports_passed_files_and_findings_involving_them(tmp_path, monkeypatch) -> None:
    for name in ("a.hcl", "b.hcl"):
        (tmp_path / name).write_text('Kind = "exported-services"\nName = "default"\n')
    (tmp_path / "c.hcl").write_text(BAD)
    monkeypatch.chdir(tmp_path)
    rules = {"PL992": Peers}
    result = check(["."], load_config("."), rules, focus=["b.hcl"])
    # b's own finding, and a's finding whose related location is b
    assert sorted((f.path, f.related[0].path) for f in result.findings) == [("a.hcl", "b.hcl"), ("b.hcl", "a.hcl")]
    assert check(["."], load_config("."), rules, focus=["c.hcl"]).findings == []


def test_cli_project_mode(tmp_path, monkeypatch, capsys) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "bad.hcl").write_text(BAD)
    (tmp_path / "good.hcl").write_text(GOOD)
    monkeypatch.chdir(tmp_path)
    args = ["check", "--select", "PL002", "--format", "gcc", "--project", "."]
    assert main(args + ["good.hcl"]) == 0
    assert main(args + ["./sub/bad.hcl"]) == 1
    assert capsys.readouterr().out.startswith("sub/bad.hcl:1:8: error:")
    assert main(args + ["sub"]) == 1  # a folder focuses on the files under it
    assert main(args) == 1  # no PATHS: everything
    (tmp_path / "peerlint.toml").write_text('edition = "ce"\n')
    assert main(args + ["peerlint.toml"]) == 1  # the config changed: everything


def _git(cwd, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def _pre_commit(cwd, home, *args: str) -> subprocess.CompletedProcess:
    env = dict(
        os.environ,
        PRE_COMMIT_HOME=str(home),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        NO_COLOR="1",
        GIT_AUTHOR_NAME="peerlint tests",
        GIT_AUTHOR_EMAIL="tests@peerlint.invalid",
        GIT_COMMITTER_NAME="peerlint tests",
        GIT_COMMITTER_EMAIL="tests@peerlint.invalid",
    )
    env.pop("GIT_DIR", None)
    env.pop("GIT_INDEX_FILE", None)
    try:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", *args, "--color", "never"],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
    except subprocess.TimeoutExpired:
        pytest.skip("pre-commit did not finish installing the hook within 15 minutes (package registry too slow)")


def _skip_if_offline(proc: subprocess.CompletedProcess, home) -> None:
    """pre-commit exits 3 when it cannot build the hook's environment; if the log
    says pip could not reach the registry, this machine is offline: skip, loudly."""
    if proc.returncode in (0, 1):
        return
    log = ""
    try:
        with open(os.path.join(home, "pre-commit.log"), encoding="utf-8") as handle:
            log = handle.read()
    except OSError:
        pass
    if NETWORK_TROUBLE.search(proc.stdout + proc.stderr + log):
        pytest.skip(
            "pre-commit could not pip-install the hook: the package registry is unreachable\n"
            + (log or proc.stdout)[-2000:]
        )
    pytest.fail(f"pre-commit failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}\n{log[-4000:]}")


def test_real_pre_commit_try_repo(tmp_path) -> None:
    pytest.importorskip("pre_commit", reason="pre-commit is a test dependency (pip install -e '.[test]')")
    repo, home = tmp_path / "user-repo", tmp_path / "pre-commit-home"
    repo.mkdir()
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "tests@peerlint.invalid")
    _git(repo, "config", "user.name", "peerlint tests")
    (repo / "legacy.hcl").write_text(BAD)  # an old problem, committed before the hook
    (repo / "mesh.hcl").write_text(GOOD)
    _git(repo, "add", "legacy.hcl", "mesh.hcl")
    _git(repo, "commit", "-q", "-m", "init")

    # 1. a staged bad file fails, with the finding (try-repo clones this checkout,
    #    uncommitted changes included, and installs the hook as a user's repo would)
    (repo / "exports.hcl").write_text(BAD)
    _git(repo, "add", "exports.hcl")
    proc = _pre_commit(repo, home, "try-repo", REPO, "peerlint", "--files", "exports.hcl")
    _skip_if_offline(proc, home)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "peerlint" in proc.stdout and "Failed" in proc.stdout
    assert "exports.hcl\n  1:8  error   PL002  invalid config entry kind: exported-service" in proc.stdout
    assert "legacy.hcl" not in proc.stdout  # only the passed file is reported

    # 2. a clean change passes: try-repo again, this time on what is staged (the
    #    legacy problem is committed, not staged, so it is not this commit's business)
    _git(repo, "rm", "-q", "--cached", "exports.hcl")
    os.unlink(repo / "exports.hcl")
    (repo / "mesh.hcl").write_text("# mesh-wide settings\n" + GOOD)
    _git(repo, "add", "mesh.hcl")
    proc = _pre_commit(repo, home, "try-repo", REPO, "peerlint")
    _skip_if_offline(proc, home)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"^peerlint\.+Passed$", proc.stdout, re.M), proc.stdout
    assert (repo / "legacy.hcl").read_text() == BAD  # the hook never modifies files


# --- the shipped hook installed in real repositories and run by real `git commit`s ---

INTENTIONS = "east/config-entries/intentions-payments.hcl"
PL401 = "east/config-entries/exported-services.hcl\n  9:16  error   PL401  payments is exported to peer 'west'"


@pytest.fixture(scope="module")
def hook_source(tmp_path_factory):
    """This checkout as it is (uncommitted changes included, as try-repo would take
    it) committed in a throw-away repository, and one pre-commit home whose hook
    environment is built once for every test below."""
    pytest.importorskip("pre_commit", reason="pre-commit is a test dependency (pip install -e '.[test]')")
    base = tmp_path_factory.mktemp("hook")
    source, home = base / "peerlint", base / "home"
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO, check=True, capture_output=True
    ).stdout
    for name in filter(None, listed.decode().split("\0")):
        if os.path.isfile(os.path.join(REPO, name)):
            os.makedirs(os.path.dirname(source / name), exist_ok=True)
            with open(os.path.join(REPO, name), "rb") as src, open(source / name, "wb") as dst:
                dst.write(src.read())
    _git(source, "init", "-q")
    _git(source, "add", "-A")
    _commit(source, "-q", "--no-verify", "-m", "peerlint under test")
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=source, check=True, capture_output=True, text=True)
    return str(source), rev.stdout.strip(), home


def _commit(cwd, *args: str) -> subprocess.CompletedProcess:
    """``git commit ARGS`` as a user types it: the installed pre-commit hook runs."""
    env = dict(os.environ, NO_COLOR="1", GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t.invalid")
    env.update(GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t.invalid", PIP_DISABLE_PIP_VERSION_CHECK="1")
    env.pop("GIT_DIR", None)
    env.pop("GIT_INDEX_FILE", None)
    # a hook's output goes to git's standard error: both are kept, together, in stdout
    return subprocess.run(
        ["git", "commit", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=900,
    )


@pytest.fixture
def user_repo(tmp_path, hook_source):
    """The examples (three clusters; three findings already committed) and two files
    that are not Consul's, committed, with the shipped hook installed by pre-commit."""
    source, rev, home = hook_source
    repo = tmp_path / "user"
    import shutil

    shutil.copytree(os.path.join(REPO, "examples"), repo)
    (repo / "notes.txt").write_text("notes\n")
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {source}\n    rev: {rev}\n    hooks:\n      - id: peerlint\n        verbose: true\n"
    )
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _commit(repo, "-q", "--no-verify", "-m", "init")
    proc = _pre_commit(repo, home, "install", "--install-hooks")
    _skip_if_offline(proc, home)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return repo


def test_hook_blocks_a_commit_that_deletes_a_file_others_depend_on(user_repo) -> None:
    _git(user_repo, "rm", "-q", INTENTIONS)
    proc = _commit(user_repo, "-m", "drop the payments intentions")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert re.search(r"^peerlint\.+Failed$", proc.stdout, re.M), proc.stdout
    assert PL401 in proc.stdout  # in a file the commit does not touch
    assert "4 finding(s) already present at HEAD not shown" in proc.stdout


def test_hook_blocks_an_edit_that_breaks_another_files_finding(user_repo) -> None:
    path = user_repo / INTENTIONS
    path.write_text(path.read_text().replace('Peer   = "west"', 'Peer   = "south"'))
    _git(user_repo, "add", INTENTIONS)
    proc = _commit(user_repo, "-m", "payments: allow south")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert PL401 in proc.stdout


def test_hook_passes_old_findings_and_returns_at_once_without_consul_files(user_repo) -> None:
    (user_repo / "notes.txt").write_text("more notes\n")
    _git(user_repo, "add", "notes.txt")
    proc = _commit(user_repo, "-m", "notes")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"^peerlint\.+Passed$", proc.stdout, re.M), proc.stdout
    # returned before loading anything (verbose: true shows the hook's note)
    assert "nothing to check since HEAD: no Consul file or peerlint configuration changed" in proc.stdout
    mesh = user_repo / "east/config-entries/mesh.hcl"
    mesh.write_text("# mesh-wide settings\n" + mesh.read_text())
    _git(user_repo, "add", "-A")
    proc = _commit(user_repo, "-m", "a comment")  # a Consul file, but nothing new: passes
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "4 finding(s) already present at HEAD not shown" in proc.stdout
