"""The built wheel: one top-level import name (``linter``; never a bare ``rules``),
and the built-in rules and schemas found from it exactly as from the checkout."""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest
from helpers import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("wheel")
    build = tmp_path_factory.mktemp("src")
    # build from a clean copy: never write build/ or *.egg-info into the checkout
    shutil.copytree(
        REPO,
        build / "peerlint",
        ignore=shutil.ignore_patterns(
            ".git", "build", "*.egg-info", "__pycache__", ".peerlint_cache", ".hypothesis", "tests"
        ),
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(build / "peerlint"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    [path] = glob.glob(str(out / "peerlint-*.whl"))
    return path


def test_wheel_claims_only_linter(wheel: str) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"linter"}
    assert any(n.startswith("linter/rules/pl001_") for n in names)
    assert any(n.startswith("linter/schemas/") and n.endswith(".json") for n in names) or not glob.glob(
        os.path.join(REPO, "schemas", "*.json")
    )
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "[peerlint.rules]" in text and "linter.rules" in text and "peerlint = linter.cli:main" in text


def test_installed_wheel_finds_the_same_rules_and_findings(wheel: str, tmp_path) -> None:
    target = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), wheel],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    work = tmp_path / "work"
    shutil.copytree(os.path.join(REPO, "examples"), work)
    env = dict(os.environ, PYTHONPATH=str(target))

    def peerlint(*args: str, **kw) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "linter", *args], cwd=str(work), capture_output=True, text=True, timeout=300, **kw
        )

    where = subprocess.run(
        [sys.executable, "-c", "import linter, linter.rules; print(linter.__file__); print(linter.rules.__file__)"],
        cwd=str(work),
        env=env,
        capture_output=True,
        text=True,
    )
    assert where.stdout.count(str(target)) == 2, where.stdout + where.stderr
    from_wheel = peerlint("rules", env=env).stdout
    from_checkout = peerlint("rules").stdout
    assert from_wheel == from_checkout and "PL001" in from_wheel
    a = json.loads(peerlint("check", ".", "-f", "json", env=env).stdout)["findings"]
    b = json.loads(peerlint("check", ".", "-f", "json").stdout)["findings"]
    assert a == b


def test_checkout_that_was_never_installed_finds_its_own_rules(tmp_path) -> None:
    """``python -m linter rules`` from a copy of the checkout: the copy's rules/ and
    schemas/ are linter.rules and linter.schemas (not an installed peerlint's, and not
    "No module named linter.rules")."""
    for folder in ("linter", "rules", "schemas"):
        shutil.copytree(os.path.join(REPO, folder), tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    where = subprocess.run(
        [
            sys.executable,
            "-c",
            "import linter.rules, linter.schemas; print(linter.rules.__file__); print(linter.schemas.__file__)",
        ],
        cwd=str(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert where.stdout.count(str(tmp_path)) == 2, where.stdout + where.stderr
    listed = subprocess.run(
        [sys.executable, "-m", "linter", "rules"], cwd=str(tmp_path), capture_output=True, text=True, timeout=120
    )
    assert listed.returncode == 0 and "PL001" in listed.stdout, listed.stderr
