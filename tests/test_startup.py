"""Start-up stays cheap: ``--version``, ``rules`` and ``explain`` import none of the
heavy libraries (each costs 100-200 ms; a pre-commit hook pays it on every commit).

Each case runs in a fresh interpreter and inspects ``sys.modules`` afterwards. A rule
module importing one of these at its top level makes ``rules`` fail here: move the
import into the function that needs it.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.helpers import REPO

HEAVY = ("jsonschema", "networkx", "rich", "ruamel", "hcl", "yaml", "referencing", "tree_sitter")
#: The check pipeline's own modules: a light command needs none of them either.
PIPELINE = ("linter.engine", "linter.load", "linter.parse", "linter.forks", "linter.rulepool", "linter.resultscache")

#: Runs ``peerlint ARGV`` in this interpreter, then prints which of the watched
#: modules (``%r``, filled in by the caller) it imported, and the start of its output.
SCRIPT = """
import contextlib, io, json, sys
from linter.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        main(sys.argv[1:])
    except SystemExit:
        pass
loaded = set(sys.modules) | {name.split(".")[0] for name in sys.modules}
print(json.dumps({"imported": sorted(name for name in %r if name in loaded), "output": out.getvalue()[:200]}))
"""


def _run_watching(watched: tuple, argv: tuple, **kwargs) -> dict:
    kwargs.setdefault("cwd", REPO)
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT % (watched,), *argv], capture_output=True, text=True, timeout=300, **kwargs
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _imported(*argv: str) -> dict:
    found = _run_watching(HEAVY + PIPELINE, argv)
    return {"heavy": found["imported"], "output": found["output"]}


@pytest.mark.parametrize("argv", [("--version",), ("rules",), ("explain", "PL001"), ("--help",)])
def test_light_commands_import_nothing_heavy(argv):
    found = _imported(*argv)
    assert found["output"], "the command printed nothing"
    assert found["heavy"] == [], f"`peerlint {' '.join(argv)}` imported {found['heavy']}"


def test_every_rule_module_imports_nothing_heavy():
    """Named per rule, so a failure says whose module to fix."""
    script = """
import importlib, json, pkgutil, sys
import linter.rules as pkg
before = set(sys.modules)
bad = {}
for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
    importlib.import_module("linter.rules." + info.name)
    new = sorted({m.split(".")[0] for m in set(sys.modules) - before} & set(%r))
    if new:
        bad[info.name] = new
    before = set(sys.modules)
print(json.dumps(bad))
""" % (HEAVY,)
    proc = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == {}


def test_a_check_imports_no_plugin_scanner_and_no_multiprocessing(tmp_path):
    """Entry points come from the cache (linter/entrypoints.py) once it is filled, the
    parallel parse forks by itself (linter/load/forkpool.py), and a repository with no
    HCL never imports pyhcl."""
    import os

    folder = tmp_path / "k8s"
    folder.mkdir()
    for n in range(450):  # enough parsing for the parallel path
        (folder / f"mesh-{n}.yaml").write_text(
            f"apiVersion: consul.hashicorp.com/v1alpha1\nkind: Mesh\nmetadata:\n  name: mesh-{n}\nspec: {{}}\n"
        )
    (tmp_path / "xdg").mkdir()
    (tmp_path / "work").mkdir()  # the working folder is on sys.path ("-c"): nothing may change in it
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "xdg"), PYTHONPATH=REPO)
    watched = ("importlib.metadata", "multiprocessing", "concurrent.futures", "hcl")
    runs = []
    for _ in range(2):  # the first run fills the entry-point cache
        runs.append(
            _run_watching(watched, ("check", str(folder), "--no-cache"), cwd=str(tmp_path / "work"), env=env)[
                "imported"
            ]
        )
    assert runs[1] == [], f"a check imported {runs[1]}"
