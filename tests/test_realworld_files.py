"""The platform monorepo layout (tests/realworld/monorepo-platform/, issue #14): every
file that is not Consul's is passed over and listed under ``--verbose``, never reported.
tests/test_realworld.py checks every layout's findings against its expected.txt."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HERE = os.path.join(ROOT, "tests", "realworld")
LAYOUTS = (
    sorted(name for name in os.listdir(HERE) if os.path.isfile(os.path.join(HERE, name, "expected.txt")))
    if os.path.isdir(HERE)
    else []
)


def _lint(folder: str, *extra: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.run(
        [sys.executable, "-m", "linter", "check", "--no-cache", "--format", "gcc", *extra, "."],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_monorepo_skips_are_listed_under_verbose(tmp_path) -> None:
    copy = tmp_path / "repo"
    shutil.copytree(os.path.join(HERE, "monorepo-platform"), copy)
    # what .gitignore keeps out of the repository (so it cannot be committed here either)
    (copy / "secrets").mkdir()
    (copy / "secrets" / "bootstrap.hcl").write_text(
        'acl { tokens { initial_management = "5a6b7c8d-1111-2222-3333-444455556666" } }\n'
    )
    done = _lint(str(copy), "--verbose")
    skipped = {line.removeprefix("peerlint: skipped ").split(": ", 1)[0] for line in done.stderr.splitlines()}
    for path in (
        "secrets",
        "charts/web-app/templates",
        "docker-compose.yml",
        ".vscode/settings.json",
        "web/tsconfig.json",
        "web/package-lock.json",
        "packer/consul.pkr.hcl",
        "nomad/jobs/web.nomad.hcl",
        "nomad/jobs/batch.hcl",
        "terragrunt/live/prod/consul/terragrunt.hcl",
        "terraform/.terraform.lock.hcl",
        "terraform/templates/consul-values.yaml",
    ):
        assert path in skipped, (path, done.stderr)
    assert not [line for line in done.stdout.splitlines() if "secrets/" in line]
