"""Real repository layouts linted as they are (issue #14): each folder under
tests/realworld/ with an ``expected.txt`` is copied somewhere with no peerlint.toml
above it and checked through the real CLI with no configuration; the findings must be
exactly the planted true defects ``expected.txt`` lists (gcc format, paths relative to
the layout), nothing on the other tools' files. Each layout's README says where its
shape comes from and what is planted."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

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


@pytest.mark.parametrize("layout", LAYOUTS)
def test_layout_findings_are_the_planted_defects(layout: str, tmp_path) -> None:
    source = os.path.join(HERE, layout)
    assert os.path.isfile(os.path.join(source, "README.md")), "say where the layout's shape comes from"
    copy = tmp_path / layout
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("expected.txt"))
    for name in ("peerlint.toml", ".peerlint.toml"):
        assert not (copy / name).exists(), "the layouts are linted with no configuration"
    done = _lint(str(copy))
    assert done.returncode in (0, 1), done.stderr
    with open(os.path.join(source, "expected.txt"), encoding="utf-8") as handle:
        expected = [line for line in handle.read().splitlines() if line and not line.startswith("#")]
    found = [line for line in done.stdout.splitlines() if line]
    if os.environ.get("PEERLINT_REGEN"):
        with open(os.path.join(source, "expected.txt"), "w", encoding="utf-8") as handle:
            handle.write("\n".join(found) + "\n")
        return
    assert found == expected, "\n".join(["findings differ from expected.txt:"] + found)


def test_monorepo_skips_are_listed_under_verbose(tmp_path) -> None:
    copy = tmp_path / "repo"
    shutil.copytree(os.path.join(HERE, "monorepo-platform"), copy)
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
    ):
        assert path in skipped, (path, done.stderr)
    assert not [line for line in done.stdout.splitlines() if "secrets/" in line]
